"""RSS and Atom feeds of the applied change sets (Django's syndication framework): the whole catalog's, and one
model's (the changes to the model, its offerings, their prices and its benchmark results)."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from catalog.models import BenchmarkResult, ChangeItem, ChangeSet, LanguageModel, Offering

from .changelog import ChangeEntry, ChangelogSet, FieldChange, changelog_sets, recent_changesets

FEED_SIZE = 20
# Lines of changes per feed entry; a bulk load links to its page for the rest.
DESCRIPTION_LINES = 40


def _entry_line(entry: ChangeEntry) -> str:
    what = f"{entry.kind.capitalize()} {entry.name}"
    if entry.action == "create":
        return format_html("{}: added{}", what, f" ({entry.detail})" if entry.detail else "")
    if entry.action == "delete":
        return format_html("{}: removed", what)
    changes = [
        format_html("{}: {} → {}{}", change.label, change.old, change.new, _price_note(change))
        for change in entry.fields
    ]
    return format_html("{}: {}", what, format_html_join("; ", "{}", ((c,) for c in changes)))


def _price_note(change: FieldChange) -> str:
    """' (price up 20%)', ' (first listed)', or nothing for a field that is not a price."""
    if change.price is None or not change.price.words:
        return ""
    moved = change.price.direction in ("up", "down") and change.price.words != "now free"
    return f" ({'price ' if moved else ''}{change.price.words})"


class ChangesFeed(Feed):
    title = "LLM Reference: catalog changes"
    link = reverse_lazy("comparisons:changes")
    description = "Reviewed changes to the catalog of language models, providers and prices, newest first."

    def items(self) -> list[ChangelogSet]:
        return recent_changesets(ChangeSet.objects.applied()[:FEED_SIZE], entries=DESCRIPTION_LINES)

    def item_title(self, item: ChangelogSet) -> str:
        return f"#{item.pk}: {item.title}"

    def item_description(self, item: ChangelogSet) -> str:
        """HTML, every stored string escaped; the XML writer escapes it once more for the feed."""
        lines = [_entry_line(entry) for entry in item.entries[:DESCRIPTION_LINES]]
        more = item.entry_count - len(lines)
        return format_html(
            "<p>{}</p><ul>{}</ul>{}",
            item.counts,
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
            format_html("<p>And {} more on the change set's page.</p>", more) if more > 0 else "",
        )

    def item_link(self, item: ChangelogSet) -> str:
        return item.url

    def item_pubdate(self, item: ChangelogSet) -> datetime.datetime:
        return item.applied_at

    def item_updateddate(self, item: ChangelogSet) -> datetime.datetime:
        return item.applied_at


class ChangesAtomFeed(ChangesFeed):
    feed_type = Atom1Feed
    subtitle = ChangesFeed.description


def model_items(model: LanguageModel):
    """Applied items on one model, its offerings (removed ones too), their price rows and its benchmark results."""
    types = ContentType.objects.get_for_models(LanguageModel, Offering, BenchmarkResult)
    offering_type = types[Offering]
    return ChangeItem.objects.applied().filter(
        Q(content_type=types[LanguageModel], object_id=model.pk)
        | Q(content_type=offering_type, object_id__in=Offering.objects.filter(model=model).values("pk"))
        | Q(content_type=offering_type, action=ChangeItem.Action.DELETE, changes__model__0=model.pk)
        | Q(content_type=types[BenchmarkResult], object_id__in=BenchmarkResult.objects.filter(model=model).values("pk"))
        | Q(pk__in=ChangeItem.objects.prices_of_model(model.pk).values("pk"))
    )


class ModelChangesFeed(ChangesFeed):
    """One model's changes: each entry lists only the rows of that model the change set touched."""

    def get_object(self, request, slug: str) -> LanguageModel:
        return get_object_or_404(LanguageModel, slug=slug)

    def title(self, obj: LanguageModel) -> str:
        return f"LLM Reference: changes to {obj.name}"

    def link(self, obj: LanguageModel) -> str:
        return obj.get_absolute_url()

    def description(self, obj: LanguageModel) -> str:
        return f"Reviewed changes to {obj.name}'s facts, offerings and prices, newest first."

    def items(self, obj: LanguageModel) -> list[ChangelogSet]:
        items = model_items(obj).select_related("content_type", "source").order_by("id")
        sets = (
            ChangeSet.objects.applied()
            .filter(pk__in=items.values("changeset_id"))
            .prefetch_related(Prefetch("items", queryset=items))[:FEED_SIZE]
        )
        return changelog_sets(sets)


class ModelChangesAtomFeed(ModelChangesFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: LanguageModel) -> str:
        return self.description(obj)

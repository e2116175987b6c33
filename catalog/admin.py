"""Catalog admin. Editors' saves become proposals in a draft change set; reviewers approve them.

Nothing here writes a live catalog row: `ProposeChangesAdmin` turns a valid form (and its inlines) into
`ChangeItem`s, and only `ChangeSet.approve` -> `services.changeset_apply` writes. Sources are citations, not
published facts, so they are edited directly.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR, ActionLocation
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .importers.disagreements import disagreement_flags
from .models import (
    AwaitingReview,
    Benchmark,
    BenchmarkResult,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    ExternalId,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
    price_row_errors,
)
from .services import (
    NewRef,
    ProposedChange,
    changeset_cite_source,
    changeset_diff,
    changeset_open_draft,
    changeset_propose,
    changeset_remove_item,
    changeset_revert,
    editable_fields,
    pending_items_for,
)

PROPOSAL_FIELDS = ("proposal_source", "proposal_source_url", "proposal_source_title")


class SourceChoiceMixin(forms.Form):
    """Pick an existing source, or give a new URL + title (created on save)."""

    proposal_source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        label="Source",
        help_text="The page that backs this change. Every change needs a source before it can be submitted.",
        widget=AutocompleteSelect(ChangeItem._meta.get_field("source"), admin.site),
    )
    proposal_source_url = forms.URLField(required=False, max_length=500, label="…or a new source URL")
    proposal_source_title = forms.CharField(required=False, max_length=300, label="New source title")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        url = cleaned.get("proposal_source_url")
        if url and cleaned.get("proposal_source"):
            self.add_error("proposal_source_url", "Pick an existing source or enter a new URL, not both.")
        elif url and not cleaned.get("proposal_source_title") and not Source.objects.filter(url=url).exists():
            self.add_error("proposal_source_title", "Give the new source a title.")
        return cleaned

    def chosen_source(self) -> Source | None:
        if self.cleaned_data.get("proposal_source"):
            return self.cleaned_data["proposal_source"]
        url = self.cleaned_data.get("proposal_source_url")
        if not url:
            return None
        source, _ = Source.objects.get_or_create(
            url=url,
            defaults={"title": self.cleaned_data["proposal_source_title"], "retrieved_on": datetime.date.today()},
        )
        return source


class ProposalForm(SourceChoiceMixin, forms.ModelForm):
    pass


class CiteSourceForm(SourceChoiceMixin):
    pass


class ProposeChangesAdmin(admin.ModelAdmin):
    """A catalog ModelAdmin whose saves and deletes are proposals in the user's draft change set."""

    form = ProposalForm
    change_form_template = "admin/catalog/proposal_change_form.html"

    def _can_propose(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return self.has_add_permission(request) if obj is None else self.has_change_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f not in PROPOSAL_FIELDS]
            fieldsets.append((name, {**options, "fields": fields}))
        if self._can_propose(request, obj):
            fieldsets.append(
                (
                    "Source for this change",
                    {
                        "fields": ["proposal_source", ("proposal_source_url", "proposal_source_title")],
                        "description": "Saving proposes the change for review; the live catalog is not changed "
                        "until a reviewer approves it.",
                    },
                )
            )
        return fieldsets

    def get_actions(self, request: HttpRequest, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # a bulk delete would bypass review
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["pending_items"] = pending_items_for(obj) if obj is not None and obj.pk else []
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # -- saving becomes proposing ---------------------------------------------------------------------

    def _propose(self, request: HttpRequest, change: ProposedChange) -> None:
        draft = getattr(request, "_proposal_changeset", None) or changeset_open_draft(user=request.user)
        request._proposal_changeset = draft
        item = changeset_propose(user=request.user, change=change, changeset=draft)
        if item is not None:
            request._proposal_items = [*getattr(request, "_proposal_items", []), item]

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        source = form.chosen_source()
        request._proposal_source = source
        model = type(obj)
        names = {f.name: f for f in editable_fields(model)}
        if change:
            values = {n: names[n].value_from_object(obj) for n in form.changed_data if n in names}
            if values:
                self._propose(request, ProposedChange("update", model, values=values, target=obj, source=source))
        else:
            key = uuid.uuid4().hex[:12]
            values = {n: f.value_from_object(obj) for n, f in names.items()}
            self._propose(request, ProposedChange("create", model, values=values, source=source, key=key))
            obj._proposal_ref = NewRef(key)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        parent = form.instance
        parent_ref = parent.pk if change else getattr(parent, "_proposal_ref", None)
        source = getattr(request, "_proposal_source", None)
        for formset in formsets:
            fk_name = formset.fk.name
            deleted = set(map(id, formset.deleted_forms)) if formset.can_delete else set()
            for inline_form in formset.forms:
                instance = inline_form.instance
                model = type(instance)
                names = {f.name: f for f in editable_fields(model)}
                if id(inline_form) in deleted:
                    if instance.pk:
                        self._propose(request, ProposedChange("delete", model, target=instance, source=source))
                elif instance.pk is None:
                    if not inline_form.has_changed():
                        continue
                    values = {n: f.value_from_object(instance) for n, f in names.items()}
                    values[fk_name] = parent_ref
                    self._propose(request, ProposedChange("create", model, values=values, source=source))
                elif inline_form.has_changed():
                    values = {n: names[n].value_from_object(instance) for n in inline_form.changed_data if n in names}
                    if values:
                        change_ = ProposedChange("update", model, values=values, target=instance, source=source)
                        self._propose(request, change_)

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the audit trail lives on the change set

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self._propose(request, ProposedChange("delete", type(obj), target=obj))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def _proposal_message(self, request: HttpRequest, what: str) -> None:
        draft = getattr(request, "_proposal_changeset", None)
        if draft is None or not getattr(request, "_proposal_items", None):
            messages.info(request, "Nothing changed, so nothing was proposed.")
            return
        messages.success(
            request,
            format_html(
                '{} Proposed in <a href="{}">change set #{}</a> — submit it for review.',
                what,
                draft.get_admin_url(),
                draft.pk,
            ),
        )

    def _after_save(self, request: HttpRequest, obj: models.Model | None) -> HttpResponse:
        opts = self.opts
        if IS_POPUP_VAR in request.POST:
            draft = getattr(request, "_proposal_changeset", None)
            return HttpResponseRedirect(draft.get_admin_url() if draft else reverse("admin:index"))
        if "_continue" in request.POST and obj is not None and obj.pk:
            return HttpResponseRedirect(request.path)
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        if self.has_view_or_change_permission(request):
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        return HttpResponseRedirect(reverse("admin:index"))

    def response_add(self, request, obj, post_url_continue=None):
        self._proposal_message(request, f"New {self.opts.verbose_name} “{obj}”:")
        return self._after_save(request, None)

    def response_change(self, request, obj):
        self._proposal_message(request, f"Changes to {self.opts.verbose_name} “{obj}”:")
        return self._after_save(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        self._proposal_message(request, f"Deletion of {self.opts.verbose_name} “{obj_display}”:")
        return self._after_save(request, None)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "url", "retrieved_on"]
    list_filter = ["publisher", "retrieved_on"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "retrieved_on"


@admin.register(Organization)
class OrganizationAdmin(ProposeChangesAdmin):
    list_display = ["name", "display_name", "slug", "website", "version"]
    search_fields = ["name", "display_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(License)
class LicenseAdmin(ProposeChangesAdmin):
    list_display = ["name", "kind", "slug", "url", "version"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class OfferingInline(admin.TabularInline):
    """Offerings on the model page; their saves are proposals too (see ProposeChangesAdmin.save_related)."""

    model = Offering
    extra = 0
    fields = ["provider", "provider_model_id", "status", "context_window", "max_output_tokens"]
    show_change_link = True  # prices are edited on the offering's own page

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Each inline row would otherwise query the provider choices again: share them per request.
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "provider":
            if not hasattr(request, "_offering_provider_choices"):
                request._offering_provider_choices = list(formfield.choices)
            formfield.choices = request._offering_provider_choices
        return formfield


@admin.register(LanguageModel)
class LanguageModelAdmin(ProposeChangesAdmin):
    list_display = ["name", "organization", "release_date", "context_window", "license", "status", "version"]
    list_filter = ["status", "organization", "license__kind", "reasoning", "vision", "function_calling"]
    list_select_related = ["organization", "license"]
    search_fields = ["name", "slug", "family", "organization__name"]
    autocomplete_fields = ["organization", "license", "successor"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "release_date"
    inlines = [OfferingInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organization", "family", "description", "status"]}),
        (
            "Specs",
            {
                "fields": [
                    "release_date",
                    "context_window",
                    "max_output_tokens",
                    "parameter_count",
                    "active_parameter_count",
                    "architecture",
                    "license",
                    ("knowledge_cutoff", "knowledge_cutoff_precision"),
                    "input_modalities",
                    "output_modalities",
                ]
            },
        ),
        (
            "Capabilities (leave unknown when not sourced)",
            {
                "fields": [
                    "vision",
                    "multimodal",
                    "reasoning",
                    "function_calling",
                    "tool_use",
                    "structured_outputs",
                    "code_execution",
                ]
            },
        ),
        ("Lifecycle", {"fields": ["deprecation_date", "successor"]}),
    ]


@admin.register(Provider)
class ProviderAdmin(ProposeChangesAdmin):
    list_display = ["name", "kind", "slug", "website", "version"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class PriceInlineFormSet(forms.BaseInlineFormSet):
    """Checks the offering's price rows together (cached above input, batch above standard, tier thresholds
    beyond the context window), so an error names the row and field at fault before anything is proposed."""

    def clean(self) -> None:
        super().clean()
        offering = self.instance
        context_window = None
        if offering is not None:
            context_window = offering.context_window or (offering.model.context_window if offering.model_id else None)
        rows = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if data.get("dimension") is None:
                continue
            key = (data["dimension"], data.get("tier") or "standard", data.get("context_threshold") or 0)
            rows.append((form, (*key, data.get("usd_per_million"))))
        seen: set[tuple] = set()
        for form, row in rows:
            if row[:3] in seen:
                form.add_error("dimension", "This offering already has a price for this dimension, tier and threshold.")
            seen.add(row[:3])
            siblings = [other for other_form, other in rows if other_form is not form]
            for name, message in price_row_errors(row, siblings, context_window).items():
                form.add_error(name, message)


class PriceInline(admin.TabularInline):
    """An offering's prices, one row per (dimension, tier, context tier); saves are proposals."""

    model = Price
    formset = PriceInlineFormSet
    extra = 1
    fields = ["dimension", "tier", "context_threshold", "usd_per_million"]

    def get_queryset(self, request):
        return super().get_queryset(request).in_display_order()


@admin.register(Offering)
class OfferingAdmin(ProposeChangesAdmin):
    list_display = ["model", "provider", "status", "provider_model_id", "version"]
    list_filter = ["status", "provider", "provider__kind"]
    list_select_related = ["model", "provider"]
    search_fields = ["model__name", "provider__name", "provider_model_id"]
    autocomplete_fields = ["model", "provider"]
    inlines = [PriceInline]


@admin.register(Benchmark)
class BenchmarkAdmin(ProposeChangesAdmin):
    list_display = ["name", "unit", "higher_is_better", "url", "version"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BenchmarkResult)
class BenchmarkResultAdmin(ProposeChangesAdmin):
    list_display = ["model", "benchmark", "variant", "score", "measured_on", "self_reported", "version"]
    list_filter = ["benchmark", "self_reported"]
    list_select_related = ["model", "benchmark"]
    search_fields = ["model__name", "benchmark__name", "variant"]
    autocomplete_fields = ["model", "benchmark", "source"]


@admin.register(ExternalId)
class ExternalIdAdmin(ProposeChangesAdmin):
    """The crosswalk: an editor maps an unmatched listing by proposing a row here (reviewed like any other)."""

    list_display = ("external_id", "source", "model", "offering")
    list_filter = ("source",)
    search_fields = ("external_id",)
    autocomplete_fields = ("model",)
    raw_id_fields = ("offering",)


@admin.register(Provenance)
class ProvenanceAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "field", "source", "reviewed_at"]
    list_filter = ["content_type", "field"]
    list_select_related = ["content_type", "source"]
    search_fields = ["field", "source__title", "source__url"]

    # Provenance is written only by applying a reviewed change set.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# -- review workflow ------------------------------------------------------------------------------------


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False  # drafts are created by saving a catalog form

    def has_delete_permission(self, request, obj=None):
        return False  # change sets and their audit trail are kept


@admin.register(ChangeSet)
class ChangeSetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "author", "state", "item_count", "updated_at", "applied_at"]
    list_filter = ["state"]
    search_fields = ["summary", "author__username"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).with_item_count()

    @admin.display(description="changes", ordering="item_count")
    def item_count(self, obj: ChangeSet) -> int:
        return obj.item_count

    def get_urls(self):
        return [
            path(
                "<int:pk>/do/<slug:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="catalog_changeset_transition",
            ),
            path(
                "<int:pk>/items/<int:item_pk>/remove/",
                self.admin_site.admin_view(self.remove_item_view),
                name="catalog_changeset_remove_item",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            changeset = ChangeSet.objects.select_related("author", "reverts").get(pk=int(object_id))
        except (ValueError, ChangeSet.DoesNotExist):
            raise Http404("No such change set.") from None
        if not self.has_view_permission(request, changeset):
            raise PermissionDenied
        user = request.user
        is_author = user.pk == changeset.author_id
        is_reviewer = user.has_perm("catalog.review_changeset")
        can_act = self.has_change_permission(request, changeset)
        draft = changeset.state == ChangeSet.State.DRAFT
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(changeset),
            "subtitle": None,
            "changeset": changeset,
            "diffs": disagreement_flags(changeset_diff(changeset=changeset)),
            "events": changeset.events.select_related("actor"),
            "reverted_by": changeset.reverted_by.all(),
            "can_edit": can_act and is_author and draft,
            "can_withdraw": can_act and is_author and changeset.state in ChangeSet.PENDING_STATES,
            "can_rebase": can_act and is_author and changeset.state == ChangeSet.State.CONFLICTED,
            "can_review": can_act and is_reviewer and not is_author and changeset.state == ChangeSet.State.SUBMITTED,
            "own_submitted": is_author and changeset.state == ChangeSet.State.SUBMITTED,
            "can_revert": can_act and is_reviewer and changeset.state == ChangeSet.State.APPLIED,
            "cite_form": CiteSourceForm(),
            "media": self.media + CiteSourceForm().media,
        }
        return TemplateResponse(request, "admin/catalog/changeset/detail.html", context)

    def _redirect(self, changeset: ChangeSet) -> HttpResponse:
        return HttpResponseRedirect(changeset.get_admin_url())

    @method_decorator(require_POST)
    def transition_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        changeset = get_object_or_404(ChangeSet, pk=pk)
        if not self.has_change_permission(request, changeset):
            raise PermissionDenied
        user, post = request.user, request.POST
        comment = post.get("comment", "").strip()
        try:
            if action == "submit":
                changeset.submit(user=user, summary=post.get("summary", ""))
                messages.success(request, f"Change set #{changeset.pk} is submitted and awaits review.")
            elif action == "withdraw":
                changeset.withdraw(user=user, comment=comment)
                messages.success(request, f"Change set #{changeset.pk} is withdrawn.")
            elif action == "approve":
                if changeset.approve(user=user, comment=comment):
                    messages.success(
                        request,
                        f"Change set #{changeset.pk} is approved and live (catalog revision {changeset.revision}).",
                    )
                else:
                    messages.warning(
                        request,
                        f"Change set #{changeset.pk} could not apply and went back to its author: "
                        + "; ".join(p["message"] for p in changeset.problems),
                    )
            elif action == "reject":
                changeset.reject(user=user, comment=comment)
                messages.success(request, f"Change set #{changeset.pk} is rejected; the author can see why.")
            elif action == "rebase":
                changeset.rebase(user=user)
                messages.success(
                    request, f"Change set #{changeset.pk} is a draft again, redrafted against the live values."
                )
            elif action == "revert":
                reverse_set = changeset_revert(changeset=changeset, user=user, comment=comment)
                messages.success(
                    request,
                    f"Change set #{reverse_set.pk} reverts #{changeset.pk}; another reviewer must approve it.",
                )
                return self._redirect(reverse_set)
            elif action == "cite":
                form = CiteSourceForm(post)
                if not form.is_valid():
                    for field, errors in form.errors.items():
                        label = form.fields[field].label if field in form.fields else ""
                        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
                    return self._redirect(changeset)
                source = form.chosen_source()
                if source is None:
                    messages.error(request, "Pick a source or enter a new URL and title.")
                    return self._redirect(changeset)
                count = changeset_cite_source(
                    changeset=changeset, user=user, source=source, only_missing=post.get("scope") != "all"
                )
                messages.success(request, f"“{source}” now backs {count} change(s).")
            else:
                raise Http404("Unknown action.")
        except ChangeSetError as error:
            messages.error(request, str(error))
        return self._redirect(changeset)

    @method_decorator(require_POST)
    def remove_item_view(self, request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
        item = get_object_or_404(
            ChangeItem.objects.select_related("changeset", "content_type"), pk=item_pk, changeset_id=pk
        )
        if not self.has_change_permission(request, item.changeset):
            raise PermissionDenied
        try:
            changeset_remove_item(item=item, user=request.user)
            messages.success(request, f"Removed: {item.describe()}.")
        except ChangeSetError as error:
            messages.error(request, str(error))
        return self._redirect(item.changeset)


@admin.register(AwaitingReview)
class AwaitingReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reviewers' queue: submitted change sets by others, oldest first."""

    list_display = ["changeset_link", "author", "item_count", "submitted_at"]
    list_display_links = None
    search_fields = ["summary", "author__username"]

    def get_queryset(self, request):
        return AwaitingReview.objects.with_item_count().awaiting_review_by(request.user).order_by("submitted_at")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("catalog.review_changeset")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="change set")
    def changeset_link(self, obj: ChangeSet):
        return format_html('<a href="{}">{}</a>', obj.get_admin_url(), obj)

    @admin.display(description="changes", ordering="item_count")
    def item_count(self, obj: ChangeSet) -> int:
        return obj.item_count

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:catalog_changeset_change", args=[object_id]))

"""The review workflow's admin: proposing from catalog forms, the change set review page, the queue.

Nothing here writes a live catalog row: `ProposeChangesAdmin` turns a valid form (and its inlines) into
`ChangeItem`s, and only `changeset_approve` -> `changeset_apply` writes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR, ActionLocation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import Resolver404, path, resolve, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from catalog.importers.disagreements import disagreement_flags
from catalog.review.diff import (
    REVIEW_FILTERS,
    REVIEW_PAGE_SIZE,
    changeset_diff,
    pending_items_for,
    review_counts,
    review_items,
)
from catalog.review.forms import RENDERED_FIELDS, CiteSourceForm, ProposalForm
from catalog.review.models import (
    AuditEvent,
    AwaitingReview,
    ChangeItem,
    ChangeSet,
    ChangeSetError,
    ItemComment,
    Review,
)
from catalog.review.services import (
    ChangeSetConflict,
    NewRef,
    ProposedChange,
    changeset_approve,
    changeset_cite_source,
    changeset_comment_item,
    changeset_decide_items,
    changeset_open_draft,
    changeset_preview,
    changeset_propose,
    changeset_rebase,
    changeset_remove_item,
    changeset_reopen,
    changeset_revert,
    deletion_plan,
    editable_fields,
    preview_model_slugs,
)

# The admin home is the editor's and reviewer's desk (drafts, returned sets, the queue, recent changes).
admin.site.index_template = "admin/catalog/desk_index.html"

PROPOSAL_FIELDS = (
    "proposal_source",
    "proposal_source_url",
    "proposal_source_title",
    "proposal_draft",
    "proposal_new_draft",
)


class ProposeChangesAdmin(admin.ModelAdmin):
    """A catalog ModelAdmin whose saves and deletes are proposals in the user's draft change set."""

    form = ProposalForm
    change_form_template = "admin/catalog/proposal_change_form.html"

    def _can_propose(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return self.has_add_permission(request) if obj is None else self.has_change_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f not in PROPOSAL_FIELDS and f not in RENDERED_FIELDS]
            fieldsets.append((name, {**options, "fields": fields}))
        if self._can_propose(request, obj):
            fieldsets.append(
                (
                    "Source for this change",
                    {
                        "fields": [
                            "proposal_source",
                            ("proposal_source_url", "proposal_source_title"),
                            ("proposal_draft", "proposal_new_draft"),
                            *([RENDERED_FIELDS] if obj is not None else []),
                        ],
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "proposal_draft" in form.base_fields:  # a fresh class per request: safe to narrow
            form.base_fields["proposal_draft"].queryset = ChangeSet.objects.drafts_of(request.user).order_by("-id")
        return form

    def _chosen_draft(self, request: HttpRequest, form) -> None:
        data = getattr(form, "cleaned_data", {})
        if data.get("proposal_draft"):
            request._proposal_changeset = data["proposal_draft"]
        elif data.get("proposal_new_draft"):
            request._proposal_changeset = changeset_open_draft(user=request.user, name=data["proposal_new_draft"])

    def _propose(self, request: HttpRequest, change: ProposedChange) -> None:
        draft = getattr(request, "_proposal_changeset", None) or changeset_open_draft(user=request.user)
        request._proposal_changeset = draft
        item = changeset_propose(user=request.user, change=change, changeset=draft)
        if item is not None:
            request._proposal_items = [*getattr(request, "_proposal_items", []), item]

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        source = form.chosen_source()
        request._proposal_source = source
        self._chosen_draft(request, form)
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

    delete_confirmation_template = "admin/catalog/proposal_delete_confirmation.html"

    def get_deleted_objects(self, objs, request):
        """What the confirmation lists: each row and every dependant that will be proposed with it.

        Nothing is protected here: the dependants become explicit items of the change set (or, if the
        editor chooses, the delete is refused naming them). Applying deletes exactly the reviewed rows.
        """
        listed: list[Any] = []
        counts: dict[str, int] = {}
        for obj in objs:
            deletes, links = deletion_plan(obj)
            counts[str(obj._meta.verbose_name_plural)] = counts.get(str(obj._meta.verbose_name_plural), 0) + 1
            for row in deletes:
                name = str(row._meta.verbose_name_plural)
                counts[name] = counts.get(name, 0) + 1
            listed.append(
                f"{capfirst(obj._meta.verbose_name)}: {obj}",
            )
            dependants = [f"{capfirst(row._meta.verbose_name)}: {row} (deleted with it)" for row in deletes]
            dependants += [
                f"{capfirst(row._meta.verbose_name)}: {row} ({row._meta.get_field(name).verbose_name} cleared)"
                for row, name in links
            ]
            if dependants:
                listed.append(dependants)
        return listed, counts, set(), []

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        dependants = "refuse" if request.POST.get("dependants") == "refuse" else "propose"
        try:
            self._propose(request, ProposedChange("delete", type(obj), target=obj, dependants=dependants))
        except ChangeSetError as error:
            request._proposal_refused = str(error)

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
        refused = getattr(request, "_proposal_refused", "")
        if refused:
            messages.error(request, f"Nothing was proposed: {refused}")
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj_id])
            )
        self._proposal_message(request, f"Deletion of {self.opts.verbose_name} “{obj_display}”:")
        return self._after_save(request, None)


# -- change sets ----------------------------------------------------------------------------------------


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False  # drafts are created by saving a catalog form

    def has_delete_permission(self, request, obj=None):
        return False  # change sets and their audit trail are kept


class ReviewerFilter(admin.SimpleListFilter):
    title = "reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        reviewers = (
            Review.objects.values_list("reviewer_id", "reviewer__username").distinct().order_by("reviewer__username")
        )
        return [(str(pk), name) for pk, name in reviewers]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(reviews__reviewer_id=int(self.value())).distinct()
        return queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        from catalog.models import VersionedModel

        types = ContentType.objects.filter(app_label="catalog").order_by("model")
        return [(str(ct.pk), ct.name) for ct in types if issubclass(ct.model_class() or object, VersionedModel)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(items__content_type_id=int(self.value())).distinct()
        return queryset


@admin.register(ChangeSet)
class ChangeSetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "author", "state", "item_count", "updated_at", "applied_at"]
    list_filter = ["state", ("author", admin.RelatedOnlyFieldListFilter), ReviewerFilter, ObjectTypeFilter]
    search_fields = ["name", "summary", "author__username", "items__object_repr"]
    search_help_text = "Name, summary, author, or the name of an object a change touches."
    date_hierarchy = "created_at"
    actions = ["cite_source_for_unsourced"]

    @admin.action(description="Cite a source for every change without one (your drafts)")
    def cite_source_for_unsourced(self, request, queryset):
        drafts = list(queryset.filter(author=request.user, state=ChangeSet.State.DRAFT))
        form = CiteSourceForm(request.POST if "cite" in request.POST else None)
        if form.is_bound and form.is_valid() and form.chosen_source() is not None:
            source = form.chosen_source()
            count = sum(
                changeset_cite_source(changeset=draft, user=request.user, source=source, only_missing=True)
                for draft in drafts
            )
            messages.success(request, f"“{source}” now backs {count} change(s) in {len(drafts)} draft(s).")
            return None
        if form.is_bound and not form.errors:
            form.add_error("proposal_source", "Pick a source or enter a new URL and title.")
        return TemplateResponse(
            request,
            "admin/catalog/changeset/cite_source.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Cite a source for every change without one",
                "form": form,
                "drafts": drafts,
                "skipped": queryset.count() - len(drafts),
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "media": self.media + form.media,
            },
        )

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
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="catalog_changeset_preview",
            ),
            path(
                "<int:pk>/items/<int:item_pk>/comment/",
                self.admin_site.admin_view(self.comment_item_view),
                name="catalog_changeset_comment_item",
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
            changeset = ChangeSet.objects.select_related("author", "reverts", "reopened_from", "split_from").get(
                pk=int(object_id)
            )
        except (ValueError, ChangeSet.DoesNotExist):
            raise Http404("No such change set.") from None
        if not self.has_view_permission(request, changeset):
            raise PermissionDenied
        user = request.user
        is_author = user.pk == changeset.author_id
        is_reviewer = user.has_perm("catalog.review_changeset")
        can_act = self.has_change_permission(request, changeset)
        draft = changeset.state == ChangeSet.State.DRAFT
        # Transitions only: one "proposed" event per item would make the history as long as the set.
        events = list(
            changeset.events.exclude(action__in=[AuditEvent.Action.PROPOSED, AuditEvent.Action.ITEM_REMOVED])
            .select_related("actor")
            .order_by("id")
        )
        show = request.GET.get("show", "")
        if show not in REVIEW_FILTERS:
            show = ""
        items = review_items(changeset=changeset, show=show).prefetch_related(
            Prefetch("comments", queryset=ItemComment.objects.select_related("author"))
        )
        page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        counts = review_counts(changeset=changeset)
        can_review = can_act and is_reviewer and not is_author and changeset.state == ChangeSet.State.SUBMITTED
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(changeset),
            "subtitle": None,
            "changeset": changeset,
            "diffs": disagreement_flags(changeset_diff(changeset=changeset, items=list(page.object_list))),
            "page": page,
            "show": show,
            "filters": REVIEW_FILTERS,
            "counts": counts,
            "events": events,
            "decided": next(
                (
                    e
                    for e in reversed(events)
                    if e.to_state == changeset.state
                    and e.to_state != ChangeSet.State.DRAFT
                    and e.from_state != e.to_state
                ),
                None,
            ),
            "reverted_by": changeset.reverted_by.all(),
            "parts": changeset.parts.all(),
            "previews": preview_model_slugs(changeset=changeset) if changeset.state in ChangeSet.PENDING_STATES else [],
            "can_edit": can_act and is_author and draft,
            "can_withdraw": can_act and is_author and changeset.state in ChangeSet.PENDING_STATES,
            "can_rebase": can_act and is_author and changeset.state == ChangeSet.State.CONFLICTED,
            "can_reopen": can_act
            and is_author
            and changeset.state in (ChangeSet.State.REJECTED, ChangeSet.State.WITHDRAWN),
            "can_review": can_review,
            "can_comment": changeset.state in ChangeSet.PENDING_STATES and (is_author or is_reviewer),
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
                acknowledged = post.get("acknowledge_warnings") == "on"
                if changeset_approve(
                    changeset=changeset, user=user, comment=comment, acknowledge_warnings=acknowledged
                ):
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
            elif action == "reopen":
                draft = changeset_reopen(changeset=changeset, user=user)
                messages.success(request, f"Change set #{draft.pk} is a new draft reopened from #{changeset.pk}.")
                return self._redirect(draft)
            elif action in ("approve-items", "reject-items"):
                decision = "approve" if action == "approve-items" else "reject"
                ids = [int(pk) for pk in post.getlist("items") if pk.isdigit()]
                part = changeset_decide_items(
                    changeset=changeset,
                    user=user,
                    item_ids=ids,
                    decision=decision,
                    comment=comment,
                    acknowledge_warnings=post.get("acknowledge_warnings") == "on",
                )
                messages.success(
                    request,
                    f"{part.items.count()} change(s) moved to change set #{part.pk}, now "
                    f"{part.get_state_display().lower()}; the rest of #{changeset.pk} stays in review.",
                )
            elif action == "rebase":
                changeset_rebase(changeset=changeset, user=user)
                messages.success(
                    request, f"Change set #{changeset.pk} is a draft again, redrafted against the live values."
                )
            elif action == "revert":
                reverse_set = changeset_revert(
                    changeset=changeset, user=user, comment=comment, publish_comment=post.get("publish_comment") == "on"
                )
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

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A public page (?path=/models/<slug>/) as it would read with the set applied; nothing is kept.

        The page is produced by its own view, reached through the URLconf (the catalog never imports the
        public pages), inside a transaction that is rolled back.
        """
        changeset = get_object_or_404(ChangeSet, pk=pk)
        if not self.has_view_permission(request, changeset):
            raise PermissionDenied
        public_path = request.GET.get("path", "")
        try:
            match = resolve(public_path)
        except Resolver404:
            raise Http404("Not a public page.") from None
        if match.namespace != "comparisons" or not public_path.startswith("/"):
            raise Http404("Only public catalog pages can be previewed.")
        if changeset.state not in ChangeSet.PENDING_STATES:
            messages.info(
                request,
                f"Change set #{changeset.pk} is {changeset.get_state_display().lower()}: the live page shows it.",
            )
            return HttpResponseRedirect(public_path)
        try:
            with changeset_preview(changeset=changeset):
                response = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render"):
                    response.render()
        except ChangeSetConflict as conflict:
            messages.error(
                request,
                "This change set cannot be previewed: " + "; ".join(p["message"] for p in conflict.problems[:5]),
            )
            return self._redirect(changeset)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            banner = format_html(
                '<p role="status" id="preview-banner"><strong>Preview</strong> of this page with '
                '<a href="{}">change set #{}</a> applied: not live, nothing was saved.</p>',
                changeset.get_admin_url(),
                changeset.pk,
            )
            response.content = response.content.replace(
                b'<main id="main">', b'<main id="main">' + str(banner).encode(), 1
            )
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    @method_decorator(require_POST)
    def comment_item_view(self, request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
        item = get_object_or_404(ChangeItem.objects.select_related("changeset"), pk=item_pk, changeset_id=pk)
        if not self.has_view_permission(request, item.changeset):
            raise PermissionDenied
        try:
            changeset_comment_item(item=item, user=request.user, text=request.POST.get("text", ""))
            messages.success(request, f"Comment added on {item.describe()}.")
        except ChangeSetError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(f"{item.changeset.get_admin_url()}#item-{item.pk}")

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

"""The review workflow's records: change sets, their items, reviews, the audit trail, the catalog revision.

Nobody writes live catalog rows directly: an editor's save becomes ChangeItems in a draft ChangeSet, a
reviewer other than the author approves it, and only then does `catalog.review.services.changeset_apply`
write. These models live in the `catalog` app (their tables keep the `catalog_` prefix); they refer to
catalog entities by app label only, so this module imports nothing from `catalog.models`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, F, Prefetch, Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from catalog.review import notifications


def _offering_model() -> type[models.Model]:
    return apps.get_model("catalog", "Offering")


class ChangeSetError(Exception):
    """A transition the change set's state, the acting user or its content does not allow."""


# Sent (no arguments) once the transaction that bumped the catalog revision commits: caches keyed on the
# revision (the public page cache) re-read it at once in this process instead of at their next refresh.
catalog_revision_changed = Signal()


class CatalogRevision(models.Model):
    """One row holding the catalog revision number; every applied change set bumps it."""

    number = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"catalog revision {self.number}"

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("number", flat=True).first() or 0

    @classmethod
    def bump(cls) -> int:
        """Increment the counter under a row lock and return the new number (call inside a transaction)."""
        cls.objects.get_or_create(pk=1)
        revision = cls.objects.select_for_update().get(pk=1)
        revision.number = F("number") + 1
        revision.save(update_fields=["number", "updated_at"])
        revision.refresh_from_db(fields=["number"])
        transaction.on_commit(lambda: catalog_revision_changed.send(sender=cls))
        return revision.number


class ChangeSetQuerySet(models.QuerySet):
    def with_item_count(self) -> ChangeSetQuerySet:
        return self.select_related("author").annotate(item_count=Count("items", distinct=True))

    def drafts_of(self, user) -> ChangeSetQuerySet:
        return self.filter(author=user, state=ChangeSet.State.DRAFT)

    def awaiting_review_by(self, user) -> ChangeSetQuerySet:
        """Submitted change sets the given user may review (never their own)."""
        return self.filter(state=ChangeSet.State.SUBMITTED).exclude(author=user)

    def pending(self) -> ChangeSetQuerySet:
        return self.filter(state__in=ChangeSet.PENDING_STATES)

    def applied(self) -> ChangeSetQuerySet:
        """What the public may see: applied change sets, newest first."""
        return self.filter(state=ChangeSet.State.APPLIED).order_by("-applied_at", "-id")

    def with_items(self) -> ChangeSetQuerySet:
        items = ChangeItem.objects.select_related("content_type", "source").order_by("id")
        return self.prefetch_related(Prefetch("items", queryset=items))

    def with_first_items(self, limit: int) -> ChangeSetQuerySet:
        """Each set's first `limit` items, as the list `first_items`: one windowed query, so a list of sets
        costs the same whatever their sizes. (A list attribute: a sliced prefetch cannot back `items`.)"""
        items = ChangeItem.objects.select_related("content_type", "source").order_by("id")[:limit]
        return self.prefetch_related(Prefetch("items", queryset=items, to_attr="first_items"))


class ChangeSet(models.Model):
    """A group of proposed catalog changes by one author, reviewed and applied as a whole."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CONFLICTED = "conflicted", "Conflicted"

    PENDING_STATES = (State.DRAFT, State.SUBMITTED, State.CONFLICTED)

    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="changesets")
    name = models.CharField(
        max_length=120, blank=True, help_text='The author\'s name for the draft, e.g. "Anthropic price update".'
    )
    summary = models.TextField(blank=True, help_text="What changes and why, for the reviewer and the changelog.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    reopened_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reopened_as",
        help_text="The rejected or withdrawn change set this draft starts again from.",
    )
    split_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        help_text="The change set a reviewer took these items out of (approved or rejected per item).",
    )
    reverts = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reverted_by",
        help_text="The applied change set this one undoes.",
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="Why the last approval could not apply (conflicts, invalid values)."
    )
    revision = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Catalog revision number this change set produced when applied."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ChangeSetQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "change set"
        permissions = [("review_changeset", "Can review (approve, reject, revert) change sets")]

    def __str__(self) -> str:
        label = self.name or Truncator(self.summary).chars(80)
        return f"Change set #{self.pk}" + (f": {label}" if label else "")

    def get_admin_url(self) -> str:
        return reverse("admin:catalog_changeset_change", args=[self.pk])

    def approver(self):
        """Who approved it (None before approval). Uses prefetched reviews when there are any."""
        approvals = [r for r in self.reviews.all() if r.decision == Review.Decision.APPROVE]
        return approvals[0].reviewer if approvals else None

    def describe_decision(self) -> str:
        """e.g. "change set #12 by alice, approved by carol"."""
        approver = self.approver()
        return f"change set #{self.pk} by {self.author}" + (f", approved by {approver}" if approver else "")

    # -- helpers --------------------------------------------------------------------------------------

    def _locked(self) -> ChangeSet:
        """Re-read this row under a lock, so concurrent transitions serialise on it."""
        locked = ChangeSet.objects.select_for_update().get(pk=self.pk)
        self.__dict__.update({f.attname: getattr(locked, f.attname) for f in self._meta.concrete_fields})
        return self

    def _require_state(self, *states: str, action: str) -> None:
        if self.state not in states:
            allowed = " or ".join(ChangeSet.State(s).label.lower() for s in states)
            raise ChangeSetError(
                f"Cannot {action} change set #{self.pk}: it is {self.get_state_display().lower()}, not {allowed}."
            )

    def _require_author(self, user, action: str) -> None:
        if user.pk != self.author_id:
            raise ChangeSetError(f"Only the author of change set #{self.pk} can {action} it.")

    def _require_reviewer(self, user, action: str) -> None:
        if not user.has_perm("catalog.review_changeset"):
            raise ChangeSetError(f"You need reviewer permission to {action} a change set.")
        if user.pk == self.author_id:
            raise ChangeSetError(f"You cannot {action} your own change set #{self.pk}: another reviewer must.")

    def _record(self, *, user, action: str, from_state: str, comment: str = "", details=None) -> AuditEvent:
        return AuditEvent.objects.create(
            changeset=self,
            actor=user,
            action=action,
            from_state=from_state,
            to_state=self.state,
            comment=comment,
            details=details or {},
        )

    def _move(self, *, user, to_state: str, action: str, comment: str = "", details=None, **fields) -> None:
        from_state = self.state
        self.state = to_state
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["state", "updated_at", *fields])
        self._record(user=user, action=action, from_state=from_state, comment=comment, details=details)

    def _duplicate_unique_values(self, items: list[ChangeItem]) -> list[str]:
        """Unique fields (slugs, names) this set would give a value another row has or another pending set
        proposes. Queries: two per (model, unique field) touched, whatever the number of items."""
        wanted: dict[tuple[type[models.Model], str], dict[Any, ChangeItem]] = {}
        clashes: list[str] = []
        for item in items:
            if item.action == ChangeItem.Action.DELETE:
                continue
            model = item.target_model()
            for name, (_old, new) in item.changes.items():
                field = model._meta.get_field(name)
                if not field.unique or field.primary_key or new in (None, ""):
                    continue
                seen = wanted.setdefault((model, name), {})
                if new in seen:
                    clashes.append(f"{name} “{new}” is proposed twice in this set")
                seen[new] = item
        deleted = {(i.content_type_id, i.object_id) for i in items if i.action == ChangeItem.Action.DELETE}
        for (model, name), values in wanted.items():
            content_type = ContentType.objects.get_for_model(model)
            targets = [i.object_id for i in values.values() if i.object_id]
            live = model._default_manager.filter(**{f"{name}__in": list(values)}).exclude(pk__in=targets)
            for row in live:
                if (content_type.pk, row.pk) not in deleted:
                    value = getattr(row, name)
                    clashes.append(f"{name} “{value}” is already used by {model._meta.verbose_name} “{row}”")
            others = (
                ChangeItem.objects.filter(
                    content_type=content_type,
                    changeset__state__in=[self.State.SUBMITTED, self.State.CONFLICTED, self.State.APPROVED],
                    **{f"changes__{name}__1__in": list(values)},
                )
                .exclude(changeset=self)
                .exclude(action=ChangeItem.Action.DELETE)
                .select_related("changeset")
            )
            for other in others:
                clashes.append(
                    f"{name} “{other.changes[name][1]}” is also proposed by change set #{other.changeset_id} "
                    f"({other.describe_target()})"
                )
        return clashes

    # -- transitions ----------------------------------------------------------------------------------

    @transaction.atomic
    def submit(self, *, user, summary: str = "") -> None:
        """draft -> submitted, by the author, when every item cites a source."""
        self._locked()
        self._require_state(self.State.DRAFT, action="submit")
        self._require_author(user, "submit")
        summary = (summary or self.summary).strip()
        items = list(self.items.select_related("content_type"))
        if not items:
            raise ChangeSetError(f"Change set #{self.pk} is empty: propose a change before submitting.")
        duplicates = self._duplicate_unique_values(items)
        if duplicates:
            raise ChangeSetError("Unique values would collide: " + "; ".join(duplicates[:5]) + ".")
        unsourced = [item for item in items if item.source_id is None]
        if unsourced:
            names = ", ".join(item.describe() for item in unsourced[:5])
            raise ChangeSetError(
                f"Cite a source for every change before submitting ({len(unsourced)} without one: {names})."
            )
        if not summary:
            raise ChangeSetError("Write a summary of the change set before submitting it.")
        self._move(
            user=user,
            to_state=self.State.SUBMITTED,
            action=AuditEvent.Action.SUBMITTED,
            summary=summary,
            submitted_at=timezone.now(),
            problems=[],
        )
        notifications.notify_submitted(self)

    @transaction.atomic
    def withdraw(self, *, user, comment: str = "") -> None:
        """draft / submitted / conflicted -> withdrawn, by the author. Items are kept for the record."""
        self._locked()
        self._require_state(*self.PENDING_STATES, action="withdraw")
        self._require_author(user, "withdraw")
        self._move(user=user, to_state=self.State.WITHDRAWN, action=AuditEvent.Action.WITHDRAWN, comment=comment)

    @transaction.atomic
    def reject(self, *, user, comment: str) -> None:
        """submitted -> rejected, by a reviewer other than the author, with a required comment."""
        self._locked()
        self._require_state(self.State.SUBMITTED, action="reject")
        self._require_reviewer(user, "reject")
        comment = (comment or "").strip()
        if not comment:
            raise ChangeSetError("Rejecting needs a comment telling the author why.")
        Review.objects.create(
            changeset=self, author_id=self.author_id, reviewer=user, decision=Review.Decision.REJECT, comment=comment
        )
        self._move(user=user, to_state=self.State.REJECTED, action=AuditEvent.Action.REJECTED, comment=comment)
        notifications.notify_author(self, what="rejected", actor=user, comment=comment)


class ChangeItemQuerySet(models.QuerySet):
    def applied(self) -> ChangeItemQuerySet:
        return self.filter(changeset__state=ChangeSet.State.APPLIED)

    def prices_of_model(self, model_id: int, live_offering_ids: Iterable[int] | None = None) -> ChangeItemQuerySet:
        """Items on the price rows of one language model's offerings: live rows, and removed ones whose
        delete item names one of its offerings (live or removed). Two small queries to list the offerings;
        one when the caller already has the live offerings' ids."""
        offering, price = _offering_model(), apps.get_model("catalog", "Price")
        price_type = ContentType.objects.get_for_model(price)
        offering_type = ContentType.objects.get_for_model(offering)
        if live_offering_ids is None:
            live_offering_ids = offering.objects.filter(model_id=model_id).values_list("pk", flat=True)
        offering_ids = set(live_offering_ids)
        offering_ids |= set(
            ChangeItem.objects.filter(
                content_type=offering_type, action=ChangeItem.Action.DELETE, changes__model__0=model_id
            ).values_list("object_id", flat=True)
        )
        removed_prices = ChangeItem.objects.filter(
            content_type=price_type, action=ChangeItem.Action.DELETE, changes__offering__0__in=sorted(offering_ids)
        )
        return self.filter(content_type=price_type).filter(
            Q(object_id__in=price.objects.filter(offering_id__in=offering_ids).values("pk"))
            | Q(object_id__in=removed_prices.values("object_id"))
        )

    def touching_prices(self) -> ChangeItemQuerySet:
        return self.filter(changes__has_key="usd_per_million")


class ChangeItem(models.Model):
    """One proposed create / update / delete of one catalog row: field -> [old, new] as JSON values."""

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"

    changeset = models.ForeignKey(ChangeSet, on_delete=models.CASCADE, related_name="items")
    action = models.CharField(max_length=6, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The target row; for a create, filled in when applied."
    )
    temp_key = models.CharField(
        max_length=40, blank=True, help_text='For a create: the key other items use to refer to it ({"new": key}).'
    )
    object_repr = models.CharField(max_length=300, help_text="The target as it read when drafted.")
    changes = models.JSONField(default=dict, help_text="field -> [old, new], JSON values (decimals as strings).")
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The target's version when drafted; a different live version is a conflict."
    )
    source = models.ForeignKey(
        "catalog.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="change_items"
    )
    field_sources = models.JSONField(
        default=dict,
        blank=True,
        help_text="field -> source id, for facts backed by another source than the item's own.",
    )
    previous_provenance = models.JSONField(
        default=dict, blank=True, help_text="field -> source id that backed the value before this item applied."
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="Checks a reviewer must acknowledge (price jumps, cutoff after release)."
    )
    group_key = models.CharField(
        max_length=60, blank=True, help_text='The top object this item belongs under, e.g. "languagemodel:12".'
    )
    group_label = models.CharField(max_length=300, blank=True, help_text="That object's name, for sorting.")
    depth = models.PositiveSmallIntegerField(default=0, help_text="0 for the top object, 1 for its offerings, ...")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChangeItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "change item"
        indexes = [
            models.Index(
                fields=["changeset", "group_label", "group_key", "depth", "id"], name="change_item_grouped_idx"
            ),
            models.Index(fields=["content_type", "object_id"], name="change_item_target_idx"),
            models.Index(fields=["content_type", "action"], name="change_item_type_action_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="create") | Q(object_id__isnull=False),
                name="change_item_update_delete_have_target",
            ),
            models.CheckConstraint(
                condition=~Q(action="create") | ~Q(temp_key=""),
                name="change_item_create_has_temp_key",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        return f"{self.get_action_display()} {self.content_type.name} “{self.object_repr}”"

    def describe_target(self) -> str:
        return f"{self.get_action_display().lower()} “{self.object_repr}”"

    def target_model(self) -> type[models.Model]:
        return self.content_type.model_class()

    def source_id_for(self, name: str) -> int | None:
        """The source backing one field: its own override, else the item's source."""
        return self.field_sources.get(name, self.source_id)

    def price_changes(self) -> list[tuple[str, Decimal | None, Decimal | None]]:
        """(label, old, new) when this item changes a price row's amount, as Decimals (None: no price)."""
        if self.target_model() is not apps.get_model("catalog", "Price") or "usd_per_million" not in self.changes:
            return []
        old, new = self.changes["usd_per_million"]
        if old == new:
            return []
        return [(self.price_label(), _decimal_or_none(old), _decimal_or_none(new))]

    def price_label(self) -> str:
        """'Input (batch)': from the row's key as this item carries it, else from how it read when drafted."""
        from catalog.models import price_label

        key = [self.changes.get(name, [None, None]) for name in ("dimension", "tier", "context_threshold")]
        values = [pair[1] if pair[1] is not None else pair[0] for pair in key]
        if values[0] is not None:
            return price_label(values[0], values[1] or "standard", int(values[2] or 0))
        return self.object_repr.rsplit(": ", 1)[-1]


def _decimal_or_none(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


class ItemComment(models.Model):
    """A reviewer's (or the author's) note on one item of a change set."""

    item = models.ForeignKey(ChangeItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.author} on item #{self.item_id}: {Truncator(self.text).chars(40)}"


class Review(models.Model):
    """A reviewer's decision on a change set. The database refuses a review by the change set's author."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    changeset = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", help_text="The change set's author, copied."
    )
    reviewer = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=7, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reviewer=F("author")), name="review_four_eyes"),
            models.CheckConstraint(condition=Q(decision="approve") | ~Q(comment=""), name="review_reject_has_comment"),
            models.UniqueConstraint(
                fields=["changeset"], condition=Q(decision="approve"), name="review_one_approval_per_changeset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} of #{self.changeset_id} by {self.reviewer}"


class AuditEvent(models.Model):
    """Append-only record of every change set transition: who, when, from which state to which, why."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        PROPOSED = "proposed", "Change proposed"
        ITEM_REMOVED = "item_removed", "Change removed"
        SOURCED = "sourced", "Source cited"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CONFLICTED = "conflicted", "Conflicted"
        APPLIED = "applied", "Applied"
        REBASED = "rebased", "Rebased"
        REVERT_CREATED = "revert_created", "Revert generated"
        REOPENED = "reopened", "Reopened as a new draft"
        SPLIT = "split", "Items decided separately"

    changeset = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "audit event"

    def __str__(self) -> str:
        return f"#{self.changeset_id} {self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ChangeSetError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ChangeSetError("Audit events are append-only.")


class AwaitingReview(ChangeSet):
    """The reviewers' queue in the admin: submitted change sets (a proxy, so the admin index lists it)."""

    class Meta:
        proxy = True
        verbose_name = "change set awaiting review"
        verbose_name_plural = "awaiting review"

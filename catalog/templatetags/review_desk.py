"""The editor's and reviewer's desk on the admin home page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Min, Prefetch

from catalog.review.models import ChangeSet, Review

register = template.Library()


@register.simple_tag
def review_desk(user) -> dict[str, Any]:
    """My drafts, what came back to me, what awaits my review, what was applied lately: five queries."""
    if not user.is_authenticated:
        return {}
    rejections = Prefetch(
        "reviews",
        queryset=Review.objects.filter(decision=Review.Decision.REJECT).select_related("reviewer").order_by("-id"),
        to_attr="rejections",
    )
    returned = list(
        ChangeSet.objects.filter(
            author=user, state__in=[ChangeSet.State.REJECTED, ChangeSet.State.CONFLICTED], reopened_as__isnull=True
        )
        .with_item_count()
        .prefetch_related(rejections)
        .order_by("-updated_at")[:10]
    )
    desk: dict[str, Any] = {
        "drafts": list(ChangeSet.objects.drafts_of(user).with_item_count().order_by("-updated_at")[:10]),
        "returned": returned,
        "applied": list(ChangeSet.objects.applied().select_related("author")[:5]),
        "is_reviewer": user.has_perm("catalog.review_changeset"),
    }
    if desk["is_reviewer"]:
        queue = ChangeSet.objects.awaiting_review_by(user).aggregate(count=Count("pk"), oldest=Min("submitted_at"))
        desk["queue_count"] = queue["count"]
        desk["queue_oldest"] = queue["oldest"]
    return desk

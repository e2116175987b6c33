"""Email about change sets: reviewers hear of a submission, the author of a decision.

Mail goes out only after the transaction commits (a rolled-back transition sends nothing), through
Django's email backend (console in development, see settings).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q

logger = logging.getLogger(__name__)


def _link(changeset) -> str:
    return f"{settings.SITE_URL}{changeset.get_admin_url()}"


def reviewers_for(changeset) -> list[str]:
    """Addresses of active users who may review this set (never its author)."""
    permission = Permission.objects.filter(codename="review_changeset", content_type__app_label="catalog").first()
    users = get_user_model().objects.filter(is_active=True).exclude(email="").exclude(pk=changeset.author_id)
    condition = Q(is_superuser=True)
    if permission is not None:
        condition |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return sorted(set(users.filter(condition).values_list("email", flat=True)))


def _send(messages: list[tuple[str, str, str, list[str]]]) -> None:
    messages = [m for m in messages if m[3]]
    if messages:
        transaction.on_commit(lambda: _deliver(messages))


def _deliver(messages: list[tuple[str, str, str, list[str]]]) -> None:
    # A mail server outage must not turn a committed review decision into an error page.
    try:
        send_mass_mail(messages)
    except OSError:
        logger.exception("Could not send %d review notification(s)", len(messages))


def notify_submitted(changeset) -> None:
    subject = f"[LLM Reference] Change set #{changeset.pk} awaits review"
    body = (
        f"{changeset.author} submitted change set #{changeset.pk} ({changeset.items.count()} changes):\n\n"
        f"{changeset.summary}\n\nReview it: {_link(changeset)}\n"
    )
    _send([(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in reviewers_for(changeset)])


def notify_author(changeset, *, what: str, actor, comment: str = "", details: str = "") -> None:
    """Tell the author their set was approved (and applied), rejected or conflicted."""
    address = changeset.author.email
    if not address:
        return
    subject = f"[LLM Reference] Change set #{changeset.pk} was {what}"
    body = f"Change set #{changeset.pk} ({changeset.summary}) was {what} by {actor}.\n"
    if comment:
        body += f"\nComment: {comment}\n"
    if details:
        body += f"\n{details}\n"
    body += f"\n{_link(changeset)}\n"
    _send([(subject, body, settings.DEFAULT_FROM_EMAIL, [address])])

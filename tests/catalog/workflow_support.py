"""Shared helpers for the review-workflow tests: users in the real groups, a quick proposal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import ChangeItem, ChangeSet, Offering, Price, Source
from catalog.review.services import EDITORS_GROUP, REVIEWERS_GROUP, ProposedChange, changeset_propose
from tests.factories import create_offering, create_source


def create_user(username: str, group: str | None = None, **kwargs: Any) -> User:
    # No password: tests log in with force_login, and skipping the hasher keeps the suite fast.
    user = User.objects.create_user(username, f"{username}@example.com", None, is_staff=True, **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def create_editor(username: str = "editor") -> User:
    return create_user(username, EDITORS_GROUP)


def create_reviewer(username: str = "reviewer") -> User:
    return create_user(username, REVIEWERS_GROUP)


def input_row(offering: Offering) -> Price:
    """The offering's standard-tier input price row."""
    return Price.objects.get(offering=offering, dimension="input", tier="standard", context_threshold=0)


def propose_price(
    *, user: User, offering: Offering, price: str, source: Source | None = None, changeset: ChangeSet | None = None
) -> ChangeItem:
    """Propose a new standard input price for the offering (an update of its price row)."""
    change = ProposedChange(
        "update",
        Price,
        values={"usd_per_million": Decimal(price)},
        target=input_row(offering),
        source=source or create_source(),
    )
    return changeset_propose(user=user, change=change, changeset=changeset)


def submitted_price_change(*, editor: User, offering: Offering | None = None, price: str = "0.50") -> ChangeSet:
    offering = offering or create_offering(input_price=Decimal("1.00"), output_price=Decimal("2.00"))
    item = propose_price(user=editor, offering=offering, price=price)
    changeset = item.changeset
    changeset.submit(user=editor, summary=f"Input price to {price}")
    return changeset


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:catalog_{model._meta.model_name}_{action}", args=args)


def transition_url(changeset: ChangeSet, action: str) -> str:
    return reverse("admin:catalog_changeset_transition", args=[changeset.pk, action])


def form_data(response) -> dict[str, str | list[str]]:
    """The POST body the rendered admin form (and its inlines) would send unchanged."""
    forms = [response.context["adminform"].form]
    data: dict[str, str | list[str]] = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend([formset.management_form, *formset.forms])
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False and bound.name == "DELETE":
                continue
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def price_row(offering: Offering, dimension: str, tier: str = "standard", threshold: int = 0) -> Price:
    """One of the offering's price rows."""
    return Price.objects.get(offering=offering, dimension=dimension, tier=tier, context_threshold=threshold)


def price_field(
    data: dict[str, str | list[str]], dimension: str, name: str = "usd_per_million", tier: str = "standard"
) -> str:
    """The POST key of `name` on the offering page's price inline row for (dimension, tier, base context)."""
    for key, value in data.items():
        if key.startswith("prices-") and key.endswith("-dimension") and value == dimension:
            prefix = key.removesuffix("dimension")
            if data.get(f"{prefix}tier") == tier and data.get(f"{prefix}context_threshold") in ("0", 0):
                return f"{prefix}{name}"
    raise KeyError(f"no {dimension}/{tier} row in the price inline")


def recreate_groups() -> None:
    """The Editors and Reviewers groups of data migrations 0003 and 0008, for tests that run after a flush.

    (Calling the migrations' own functions with the real app registry would clear each app's models module.)
    """
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    groups = import_module("catalog.migrations.0003_editor_and_reviewer_groups")
    prices = import_module("catalog.migrations.0008_price_permissions")
    for name, codenames in (
        (EDITORS_GROUP, [*groups.EDITORS, *prices.EDITORS]),
        (REVIEWERS_GROUP, [*groups.REVIEWERS, *prices.REVIEWERS]),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))

"""Proposing many changes at once (importers, the demo loader) and applying price rows as the whole set leaves them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import AuditEvent, ChangeSet, ChangeSetError, Offering, Organization, Price
from catalog.review.services import (
    NewRef,
    ProposedChange,
    changeset_approve,
    changeset_open_draft,
    changeset_propose,
    changeset_propose_many,
)
from tests.catalog.workflow_support import create_editor, create_reviewer, input_row, price_row
from tests.factories import create_model, create_offering, create_provider, create_source

pytestmark = pytest.mark.django_db

COMPARED = (
    "action",
    "content_type_id",
    "object_id",
    "temp_key",
    "object_repr",
    "changes",
    "base_version",
    "source_id",
    "field_sources",
    "warnings",
    "group_key",
    "group_label",
    "depth",
)


def mixed_changes():
    """Creates referring to each other, updates (merged, cancelled, no-op, a 10x jump), a delete."""
    source, other = create_source(), create_source()
    offering = create_offering(input_price=Decimal("1.00"), output_price=Decimal("2.00"), cached_input_price="0.50")
    provider = create_provider()
    live_input, live_cached = input_row(offering), price_row(offering, "cache_read")
    return [
        ProposedChange("create", Organization, values={"name": "New Lab", "slug": "new-lab"}, source=source, key="o"),
        ProposedChange(
            "create",
            type(offering.model),
            values={"name": "New Model", "slug": "new-model", "organization": NewRef("o"), "context_window": 1000},
            source=source,
            key="m",
            field_sources={"context_window": other},
        ),
        ProposedChange(
            "create",
            Offering,
            values={"model": NewRef("m"), "provider": provider, "provider_model_id": "new-model"},
            source=source,
            key="f",
        ),
        ProposedChange(
            "create",
            Price,
            values={"offering": NewRef("f"), "dimension": "input", "usd_per_million": Decimal("3")},
            source=source,
            key="p",
        ),
        ProposedChange(
            "create",
            Price,
            values={"offering": offering, "dimension": "input", "tier": "batch", "usd_per_million": Decimal("4")},
            source=source,
            key="b",
        ),
        ProposedChange("update", Price, values={"usd_per_million": Decimal("20")}, target=live_input, source=source),
        ProposedChange("update", Offering, values={"context_window": 9000}, target=offering, source=source),
        ProposedChange("update", Offering, values={"max_output_tokens": 900}, target=offering, source=other),
        ProposedChange("update", Price, values={"usd_per_million": Decimal("1.00")}, target=live_input, source=source),
        ProposedChange(
            "update",
            Price,
            values={"usd_per_million": Decimal("25")},
            target=price_row(offering, "output"),
            source=other,
        ),
        ProposedChange("update", type(offering.model), values={"name": offering.model.name}, target=offering.model),
        ProposedChange("delete", Price, target=live_cached, source=source),
        ProposedChange("update", Price, values={"usd_per_million": Decimal("0.1")}, target=live_cached, source=source),
    ]


def snapshot(changeset: ChangeSet) -> list[tuple]:
    return [tuple(getattr(item, name) for name in COMPARED) for item in changeset.items.order_by("id")]


class TestProposeMany:
    def test_same_items_and_audit_events_as_proposing_one_by_one(self):
        editor = create_editor()
        changes = mixed_changes()
        one_by_one = changeset_open_draft(user=editor, name="one by one")
        singles = [changeset_propose(user=editor, change=change, changeset=one_by_one) for change in changes]
        at_once = changeset_open_draft(user=editor, name="at once")
        many = changeset_propose_many(user=editor, changes=changes, changeset=at_once)
        assert snapshot(at_once) == snapshot(one_by_one)
        # 5 creates, the offering's two updates merged, the output price jump, the delete (which the later
        # update of the same row does not undo); the input price set and set back leaves nothing
        assert len(snapshot(at_once)) == 8
        assert [item is None for item in many] == [item is None for item in singles]
        # every proposal that left an item is audited against it (one by one, the input price's item was also
        # audited before the change setting it back deleted it)
        proposed = AuditEvent.objects.filter(action=AuditEvent.Action.PROPOSED)
        audited = [event.details["item"] for event in proposed.filter(changeset=at_once)]
        assert set(audited) == set(at_once.items.values_list("id", flat=True))
        assert len(audited) == proposed.filter(changeset=one_by_one).count() - 1
        # warnings and review groups are worked out as for one proposal
        assert "above the standard price" in at_once.items.get(temp_key="b").warnings[0]
        assert any("more than 10x" in w for item in at_once.items.filter(action="update") for w in item.warnings)
        price = at_once.items.get(temp_key="p")
        assert (price.group_key, price.depth) == ("new:m", 2)

    def test_merges_into_items_proposed_earlier_as_one_by_one(self):
        editor = create_editor()
        changes = mixed_changes()
        earlier, later = changes[4:8], changes[8:]  # later ones merge into, cancel or follow the earlier
        offering = changes[6].target
        later.append(ProposedChange("update", Offering, values={"context_window": 9500}, target=offering))
        one_by_one = changeset_open_draft(user=editor, name="one by one")
        at_once = changeset_open_draft(user=editor, name="at once")
        for change in earlier:
            changeset_propose(user=editor, change=change, changeset=one_by_one)
            changeset_propose(user=editor, change=change, changeset=at_once)
        for change in later:
            changeset_propose(user=editor, change=change, changeset=one_by_one)
        changeset_propose_many(user=editor, changes=later, changeset=at_once)
        assert snapshot(at_once) == snapshot(one_by_one)
        assert len(snapshot(at_once)) == 4
        merged = at_once.items.get(content_type__model="offering")
        assert merged.changes["context_window"][1] == 9500 and "max_output_tokens" in merged.changes

    def test_refuses_what_propose_refuses(self):
        editor = create_editor()
        draft = changeset_open_draft(user=editor)
        offering = create_offering()
        with pytest.raises(ChangeSetError, match="no editable field"):
            changeset_propose_many(
                user=editor,
                changes=[ProposedChange("update", Offering, values={"nope": 1}, target=offering)],
                changeset=draft,
            )
        with pytest.raises(ChangeSetError, match="Only the author"):
            changeset_propose_many(user=create_editor("other"), changes=[], changeset=draft)

    @pytest.mark.parametrize("size", [2, 30])
    def test_queries_do_not_grow_with_the_number_of_changes(self, size):
        editor = create_editor()
        source = create_source()
        offerings = [create_offering(model=create_model()) for _ in range(size)]
        changes = []
        for offering in offerings:
            changes.append(
                ProposedChange(
                    "update",
                    Price,
                    values={"usd_per_million": Decimal("0.9")},
                    target=input_row(offering),
                    source=source,
                )
            )
            changes.append(
                ProposedChange(
                    "create",
                    Price,
                    values={
                        "offering": offering,
                        "dimension": "output",
                        "tier": "batch",
                        "usd_per_million": Decimal("1"),
                    },
                    source=source,
                )
            )
        draft = changeset_open_draft(user=editor)
        with CaptureQueriesContext(connection) as queries:
            changeset_propose_many(user=editor, changes=changes, changeset=draft)
        assert draft.items.count() == 2 * size
        assert len(queries) <= 12  # one by one: six or more per change


class TestApplyChecksPricesAsTheSetLeavesThem:
    def submitted(self, *changes):
        editor = create_editor()
        draft = changeset_open_draft(user=editor)
        changeset_propose_many(user=editor, changes=list(changes), changeset=draft)
        draft.submit(user=editor, summary="Prices")
        return draft

    def test_a_batch_price_created_before_the_standard_price_it_sits_under_is_raised(self):
        offering = create_offering(input_price=Decimal("0.30"))
        source = create_source()
        changeset = self.submitted(
            ProposedChange(
                "create",
                Price,
                values={
                    "offering": offering,
                    "dimension": "input",
                    "tier": "batch",
                    "usd_per_million": Decimal("0.375"),
                },
                source=source,
            ),
            ProposedChange(
                "update", Price, values={"usd_per_million": Decimal("0.75")}, target=input_row(offering), source=source
            ),
        )
        assert changeset_approve(changeset=changeset, user=create_reviewer(), acknowledge_warnings=True), (
            changeset.problems
        )
        assert price_row(offering, "input", "batch").usd_per_million == Decimal("0.375")

    def test_a_set_that_leaves_a_batch_price_above_the_standard_one_is_refused(self):
        offering = create_offering(input_price=Decimal("0.75"), batch_input_price=Decimal("0.375"))
        changeset = self.submitted(
            ProposedChange(
                "update",
                Price,
                values={"usd_per_million": Decimal("0.30")},
                target=input_row(offering),
                source=create_source(),
            )
        )
        assert not changeset_approve(changeset=changeset, user=create_reviewer(), acknowledge_warnings=True)
        (problem,) = changeset.problems
        assert "The standard price ($0.30) is below the batch price ($0.375)" in problem["message"]
        assert input_row(offering).usd_per_million == Decimal("0.75")

"""Rules the database itself enforces, on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    create_benchmark,
    create_benchmark_result,
    create_model,
    create_offering,
    create_organization,
    create_provider,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field",
    [
        "input_price",
        "output_price",
        "cached_input_price",
        "batch_input_price",
        "batch_output_price",
        "long_context_input_price",
        "long_context_output_price",
    ],
)
def test_negative_price_is_rejected_by_the_database(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        create_offering(**{field: Decimal("-0.01")})


def test_zero_price_is_allowed():
    offering = create_offering(input_price=Decimal("0"), output_price=Decimal("0"))
    assert offering.pk


def test_second_offering_for_same_model_and_provider_is_rejected():
    offering = create_offering()
    with pytest.raises(IntegrityError), transaction.atomic():
        create_offering(model=offering.model, provider=offering.provider)


def test_model_slug_containing_vs_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        create_model(slug="gpt-4-vs-claude")


def test_duplicate_model_slug_is_rejected():
    create_model(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        create_model(slug="same")


@pytest.mark.parametrize("factory", [create_organization, create_provider, create_benchmark])
def test_duplicate_slugs_are_rejected(factory):
    factory(slug="dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(slug="dup")


@pytest.mark.parametrize("field", ["context_window", "max_output_tokens", "parameter_count"])
def test_zero_token_counts_are_rejected(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        create_model(**{field: 0})


def test_offering_context_window_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        create_offering(context_window=0)


def test_one_result_per_model_benchmark_and_variant():
    result = create_benchmark_result(variant="0-shot")
    create_benchmark_result(model=result.model, benchmark=result.benchmark, variant="5-shot")
    with pytest.raises(IntegrityError), transaction.atomic():
        create_benchmark_result(model=result.model, benchmark=result.benchmark, variant="0-shot")


def test_one_price_row_per_dimension_tier_and_context_tier():
    from catalog.models import Price

    offering = create_offering()  # has a standard input row
    Price.objects.create(offering=offering, dimension="input", tier="batch", usd_per_million=Decimal("0.5"))
    Price.objects.create(offering=offering, dimension="input", context_threshold=200_000, usd_per_million=Decimal("2"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Price.objects.create(offering=offering, dimension="input", usd_per_million=Decimal("0.9"))


def test_a_price_row_protects_its_offering_from_a_cascade():
    from django.db.models.deletion import ProtectedError

    offering = create_offering()
    with pytest.raises(ProtectedError):
        offering.delete()

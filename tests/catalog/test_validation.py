"""Model validation (`clean()`) names the field at fault."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import LanguageModel, Price
from tests.factories import create_model, create_offering

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict


def test_knowledge_cutoff_after_release_date_is_an_error_on_that_field():
    model = create_model()
    model.release_date = datetime.date(2025, 4, 16)
    model.knowledge_cutoff = datetime.date(2025, 8, 1)
    errors = errors_of(model)
    assert list(errors) == ["knowledge_cutoff"]
    assert "2025-08" in errors["knowledge_cutoff"][0]
    assert "2025-04-16" in errors["knowledge_cutoff"][0]


def test_knowledge_cutoff_before_release_date_is_valid():
    model = create_model(release_date=datetime.date(2024, 9, 25), knowledge_cutoff=datetime.date(2023, 12, 1))
    model.full_clean()


def test_cached_input_price_above_input_price_is_an_error_on_that_field():
    offering = create_offering(input_price=Decimal("1.00"))
    cached = Price(offering=offering, dimension="cache_read", usd_per_million=Decimal("1.50"))
    errors = errors_of(cached)
    assert list(errors) == ["usd_per_million"]
    assert "cached input price ($1.50) is above the input price ($1.00)" in errors["usd_per_million"][0]


def test_batch_price_above_the_standard_price_is_an_error_on_that_field():
    offering = create_offering(output_price=Decimal("4"))
    batch = Price(offering=offering, dimension="output", tier="batch", usd_per_million=Decimal("5"))
    assert "above the standard price ($4.00)" in errors_of(batch)["usd_per_million"][0]


def test_a_context_tier_beyond_the_context_window_is_an_error_on_the_threshold():
    offering = create_offering(model=create_model(context_window=128_000))
    tier = Price(offering=offering, dimension="input", context_threshold=200_000, usd_per_million=Decimal("2"))
    assert "beyond the context window (128,000)" in errors_of(tier)["context_threshold"][0]
    offering.context_window = 1_000_000  # the provider serves more than the model card says
    offering.save()
    tier.full_clean()


def test_implausible_token_counts_are_form_errors_on_sqlite_and_postgresql_alike():
    model = create_model()
    model.context_window = 99_999_999_999
    assert "context_window" in errors_of(model)


def test_negative_price_is_a_form_error_before_the_database_sees_it():
    price = create_offering().prices.get(dimension="output")
    price.usd_per_million = Decimal("-1")
    assert "usd_per_million" in errors_of(price)


def test_slug_with_vs_is_an_error_on_slug():
    model = LanguageModel(name="X", slug="a-vs-b", organization=create_model().organization)
    assert "slug" in errors_of(model)


def test_max_output_above_context_window_is_an_error():
    model = create_model(context_window=1000)
    model.max_output_tokens = 2000
    assert list(errors_of(model)) == ["max_output_tokens"]


def test_unknown_modality_is_an_error():
    model = create_model()
    model.input_modalities = ["text", "smell"]
    assert list(errors_of(model)) == ["input_modalities"]


def test_headline_prices_are_stored_decimal_70_30_standard_tier_only():
    offering = create_offering(
        input_price=Decimal("0.50"), output_price=Decimal("2.00"), batch_input_price=Decimal("0.25")
    )
    model = LanguageModel.objects.get(pk=offering.model_id)
    assert (model.min_input_price, model.min_blended_price, model.provider_count) == (
        Decimal("0.50"),
        Decimal("0.95"),
        1,
    )

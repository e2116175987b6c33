"""Model validation (`clean()`) names the field at fault."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import LanguageModel, Offering
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
    offering.cached_input_price = Decimal("1.50")
    errors = errors_of(offering)
    assert list(errors) == ["cached_input_price"]


def test_negative_price_is_a_form_error_before_the_database_sees_it():
    offering = create_offering()
    offering.output_price = Decimal("-1")
    assert "output_price" in errors_of(offering)


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


def test_long_context_prices_need_a_threshold():
    offering = create_offering()
    offering.long_context_input_price = Decimal("2")
    assert list(errors_of(offering)) == ["long_context_threshold"]


def test_blended_price_is_decimal_70_30():
    offering = Offering(input_price=Decimal("0.50"), output_price=Decimal("2.00"))
    assert offering.blended_price() == Decimal("0.95")
    assert Offering(input_price=None, output_price=Decimal("1")).blended_price() is None

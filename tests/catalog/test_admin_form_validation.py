"""Every field of every catalog admin form refuses an invalid value with a message on that field (never a 500)."""

from decimal import Decimal

import pytest
from django import forms
from django.test import Client

from catalog.models import (
    Benchmark,
    BenchmarkResult,
    ChangeItem,
    LanguageModel,
    License,
    Offering,
    Organization,
    Provider,
    Source,
)
from tests.auth_support import sign_in
from tests.factories import create_benchmark_result, create_offering

from .test_admin_pages import admin_url
from .test_admin_workflow import form_data
from .workflow_support import create_editor

pytestmark = pytest.mark.django_db
CATALOG_MODELS = [Source, Organization, License, LanguageModel, Provider, Offering, Benchmark, BenchmarkResult]


def invalid_value(field: forms.Field) -> str | None:
    """A value this form field must refuse, or None when every value is valid (a checkbox, free text)."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "999999"
    if isinstance(field, forms.ModelChoiceField):
        return "999999"
    if isinstance(field, forms.MultipleChoiceField | forms.TypedMultipleChoiceField):
        return "no-such-choice"
    if isinstance(field, forms.ChoiceField):
        return "no-such-choice"
    if isinstance(field, forms.DecimalField | forms.FloatField | forms.IntegerField):
        return "twelve"
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return "2025-13-45"
    if isinstance(field, forms.URLField):
        return "not a url"
    if isinstance(field, forms.SlugField):
        return "no spaces allowed!"
    if isinstance(field, forms.JSONField):
        return "{not json"
    if isinstance(field, forms.CharField):
        if field.max_length:
            return "x" * (field.max_length + 1)
        if field.required:
            return ""
    return None


def objects() -> dict:
    offering = create_offering(input_price=Decimal("1.00"), output_price=Decimal("2.00"))
    result = create_benchmark_result(model=offering.model)
    return {
        Source: result.source,
        Organization: offering.model.organization,
        License: License.objects.create(name="Some License", slug="some-license", kind=License.Kind.PROPRIETARY),
        LanguageModel: offering.model,
        Provider: offering.provider,
        Offering: offering,
        Benchmark: result.benchmark,
        BenchmarkResult: result,
    }


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_every_field_refuses_an_invalid_value_with_a_message(model):
    client = sign_in(Client(), create_editor())
    obj = objects()[model]
    url = admin_url(model, "change", obj.pk)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    valid = form_data(page)
    checked = []
    for name, field in form.fields.items():
        value = invalid_value(field)
        if value is None or name not in valid and not field.required and value == "":
            continue
        response = client.post(url, {**valid, name: value})
        assert response.status_code == 200, (name, value, response.status_code)
        errors = response.context["adminform"].form.errors
        assert name in errors, (name, value, dict(errors))
        assert 'class="errorlist' in response.content.decode()
        checked.append(name)
    assert checked, f"no field of the {model.__name__} form was checked"
    assert not ChangeItem.objects.exists()  # nothing was proposed, let alone applied


DOMAIN_CASES = [
    (LanguageModel, {"context_window": "0"}, "context_window"),
    (LanguageModel, {"parameter_count": "0"}, "parameter_count"),
    (Offering, {"context_window": "0"}, "context_window"),
    (LanguageModel, {"context_window": "1000", "max_output_tokens": "2000"}, "max_output_tokens"),
    (LanguageModel, {"release_date": "2025-04-16", "knowledge_cutoff": "2025-08-01"}, "knowledge_cutoff"),
    (LanguageModel, {"slug": "a-vs-b"}, "slug"),
    (Source, {"url": "javascript:alert(1)"}, "url"),
]


@pytest.mark.parametrize(("model", "values", "field"), DOMAIN_CASES, ids=lambda v: str(v)[:40])
def test_values_the_catalog_rules_refuse_are_form_errors_on_their_field(model, values, field):
    client = sign_in(Client(), create_editor())
    obj = objects()[model]
    url = admin_url(model, "change", obj.pk)
    response = client.post(url, {**form_data(client.get(url)), **values})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors, dict(response.context["adminform"].form.errors)
    assert not ChangeItem.objects.exists()


PRICE_CASES = [
    ({"prices-0-usd_per_million": "-1"}, 0, "usd_per_million"),
    # a new cached-input row above the input price
    (
        {"prices-2-dimension": "cache_read", "prices-2-tier": "standard", "prices-2-usd_per_million": "5.00"},
        2,
        "usd_per_million",
    ),
    # a batch row above the standard price of its dimension
    ({"prices-2-dimension": "output", "prices-2-tier": "batch", "prices-2-usd_per_million": "9"}, 2, "usd_per_million"),
    # the same key twice
    ({"prices-2-dimension": "input", "prices-2-tier": "standard", "prices-2-usd_per_million": "0.5"}, 2, "dimension"),
]


@pytest.mark.parametrize(("values", "row", "field"), PRICE_CASES)
def test_price_rows_the_catalog_rules_refuse_are_inline_errors_on_their_field(values, row, field):
    client = sign_in(Client(), create_editor())
    offering = objects()[Offering]
    url = admin_url(Offering, "change", offering.pk)
    data = {**form_data(client.get(url)), "prices-2-context_threshold": "0", **values}
    if "prices-2-dimension" in values:
        data["prices-TOTAL_FORMS"] = "3"
    response = client.post(url, data)
    assert response.status_code == 200
    (prices,) = [f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "prices"]
    assert field in prices.forms[row].errors, [form.errors for form in prices.forms]
    assert not ChangeItem.objects.exists()

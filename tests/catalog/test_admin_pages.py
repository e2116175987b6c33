"""Every catalog model's admin changelist and change form render for staff, with bounded queries."""

import pytest
from django.urls import reverse

from catalog.models import Benchmark, BenchmarkResult, LanguageModel, License, Offering, Organization, Provider, Source
from tests.factories import (
    create_benchmark_result,
    create_license,
    create_model,
    create_offering,
    create_provider,
)

pytestmark = pytest.mark.django_db

CATALOG_MODELS = [Source, Organization, License, LanguageModel, Provider, Offering, Benchmark, BenchmarkResult]


def populate(n: int) -> None:
    providers = [create_provider() for _ in range(3)]
    lic = create_license()
    for _ in range(n):
        model = create_model(license=lic)
        for provider in providers:
            create_offering(model=model, provider=provider)
        create_benchmark_result(model=model)


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("n", [1, 25])
@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_changelist_renders_with_bounded_queries(staff_client, django_assert_max_num_queries, model, n):
    populate(n)
    with django_assert_max_num_queries(25):
        response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_change_and_add_forms_render(staff_client, django_assert_max_num_queries, model):
    populate(3)
    obj = model.objects.first()
    with django_assert_max_num_queries(40):
        response = staff_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == 200


def test_model_change_form_shows_offerings_inline_with_bounded_queries(staff_client, django_assert_max_num_queries):
    model = create_model()
    for _ in range(20):
        create_offering(model=model)
    with django_assert_max_num_queries(40):
        response = staff_client.get(admin_url(LanguageModel, "change", model.pk))
    assert response.status_code == 200
    assert response.content.count(b'name="offerings-') >= 20


def test_admin_refuses_anonymous_users(client):
    response = client.get(admin_url(LanguageModel, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_autocomplete_lookup_for_organization_works(staff_client):
    create_model()
    url = reverse("admin:autocomplete") + "?app_label=catalog&model_name=languagemodel&field_name=organization&term=Org"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.json()["results"]

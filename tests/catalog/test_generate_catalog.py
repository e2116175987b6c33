"""`manage.py generate_catalog`: a synthetic catalog in bulk, with provenance and applied change sets."""

import pytest
from django.core.management import CommandError, call_command

from catalog.models import (
    BenchmarkResult,
    CatalogRevision,
    ChangeSet,
    LanguageModel,
    Offering,
    Price,
    Provenance,
    Provider,
)
from comparisons.changelog import price_history

pytestmark = pytest.mark.django_db


def test_it_writes_the_asked_sizes_with_provenance_and_history(capsys):
    call_command("generate_catalog", "--models", "40", "--providers", "6", "--offerings-per-model", "5", "--seed", "3")
    assert LanguageModel.objects.count() == 40
    assert Provider.objects.count() == 6
    assert Offering.objects.count() == 200
    assert BenchmarkResult.objects.count() == 240
    assert "Generated" in capsys.readouterr().out
    # Every offering price is sourced, every offering is unique per (model, provider).
    priced = Price.objects.filter(dimension="input", tier="standard", context_threshold=0).count()
    assert priced == 200
    assert Provenance.objects.filter(field="usd_per_million").count() == Price.objects.count() >= 400
    assert LanguageModel.objects.filter(min_input_price__isnull=False).count() == 40  # headline prices stored
    assert ChangeSet.objects.applied().count() == 30
    assert CatalogRevision.current() == 30
    histories = [price_history(slug) for slug in LanguageModel.objects.values_list("slug", flat=True)]
    assert any(histories)


def test_the_same_seed_gives_the_same_catalog():
    from django.db import transaction

    from catalog.synthetic import generate_catalog

    class Undo(Exception):
        pass

    def prices(seed: int) -> list:
        try:
            with transaction.atomic():
                generate_catalog(models=10, providers=3, seed=seed, offerings_per_model=2)
                rows = list(
                    Price.objects.order_by(
                        "offering__model__slug", "offering__provider__slug", "dimension", "tier", "context_threshold"
                    ).values_list(
                        "offering__model__slug", "offering__provider__slug", "dimension", "tier", "usd_per_million"
                    )
                )
                raise Undo
        except Undo:
            return rows

    assert prices(5) == prices(5)
    assert prices(5) != prices(6)


def test_it_refuses_a_catalog_that_is_not_empty():
    call_command("generate_catalog", "--models", "3", "--providers", "2", "--offerings-per-model", "1")
    with pytest.raises(CommandError, match="not empty"):
        call_command("generate_catalog", "--models", "3", "--providers", "2")


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError, match="--models 2 or more"):
        call_command("generate_catalog", "--models", "1")

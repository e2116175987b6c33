"""GET forms of the comparison pages: the two-model picker and the cost calculator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from catalog.models import LanguageModel

from .calculator import DEFAULT_WORKLOAD, Workload


def picker_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """All models as (organization, [(slug, name), ...]) groups, in one query."""
    groups: dict[str, list[tuple[str, str]]] = {}
    rows = LanguageModel.objects.order_by("organization__name", "name", "slug").values_list(
        "organization__name", "slug", "name"
    )
    for organization, slug, name in rows:
        groups.setdefault(organization, []).append((slug, name))
    return list(groups.items())


class PairPickerForm(forms.Form):
    """Two models to compare; `canonical_pair()` gives them in URL order (slug a < slug b)."""

    a = forms.ChoiceField(label="Compare", error_messages={"invalid_choice": "That model is not in the catalog."})
    b = forms.ChoiceField(label="with", error_messages={"invalid_choice": "That model is not in the catalog."})

    def __init__(self, *args: Any, choices: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grouped = picker_choices() if choices is None else choices
        for name, placeholder in (("a", "Choose a model"), ("b", "Choose another model")):
            self.fields[name].choices = [("", placeholder), *grouped]
        self.fields["a"].error_messages["required"] = "Choose the first model."
        self.fields["b"].error_messages["required"] = "Choose the second model."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("a") and data.get("a") == data.get("b"):
            raise forms.ValidationError("Choose two different models.")
        return data

    def canonical_pair(self) -> tuple[str, str]:
        a, b = self.cleaned_data["a"], self.cleaned_data["b"]
        return (a, b) if a < b else (b, a)


MAX_MILLIONS = Decimal(1_000_000)


class CostCalculatorForm(forms.Form):
    """A monthly workload; empty fields take the default (7M input, 3M output: the 70/30 blend)."""

    input_millions = forms.DecimalField(
        label="Input tokens per month (millions)",
        required=False,
        min_value=Decimal(0),
        max_value=MAX_MILLIONS,
        max_digits=13,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    output_millions = forms.DecimalField(
        label="Output tokens per month (millions)",
        required=False,
        min_value=Decimal(0),
        max_value=MAX_MILLIONS,
        max_digits=13,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    cached_percent = forms.IntegerField(
        label="Input tokens served from the prompt cache (%)",
        required=False,
        min_value=0,
        max_value=100,
    )
    batch = forms.BooleanField(label="Use batch API prices where sourced", required=False)

    FIELDS = ("input_millions", "output_millions", "cached_percent", "batch")

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # Bound only when the query string carries a calculator field, so the plain page shows the defaults.
        if data is not None and not any(name in data for name in self.FIELDS):
            data = None
        super().__init__(
            data,
            initial={
                "input_millions": DEFAULT_WORKLOAD.input_millions,
                "output_millions": DEFAULT_WORKLOAD.output_millions,
                "cached_percent": int(DEFAULT_WORKLOAD.cached_share * 100),
                "batch": DEFAULT_WORKLOAD.batch,
            },
            **kwargs,
        )

    def workload(self) -> Workload | None:
        """The workload asked for, the default when unbound, None when a value is invalid."""
        if not self.is_bound:
            return DEFAULT_WORKLOAD
        if not self.is_valid():
            return None
        data = self.cleaned_data

        def pick(name: str, default: Decimal) -> Decimal:
            return default if data.get(name) is None else data[name]

        cached = data.get("cached_percent")
        return Workload(
            input_millions=pick("input_millions", DEFAULT_WORKLOAD.input_millions),
            output_millions=pick("output_millions", DEFAULT_WORKLOAD.output_millions),
            cached_share=DEFAULT_WORKLOAD.cached_share if cached is None else Decimal(cached) / 100,
            batch=bool(data.get("batch")),
        )

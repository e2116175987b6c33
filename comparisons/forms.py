"""Forms for the public pages: plain GET filter forms that work without JavaScript."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db import models as db_models

from catalog.models import (
    CAPABILITY_FIELDS,
    PRICE_DIGITS,
    LanguageModel,
    LanguageModelQuerySet,
    License,
    Organization,
    Provider,
)

from .seo import ExplorerFilters

# Error texts that do not echo the submitted value back (it may be a 10 KB string).
NOT_A_CHOICE = {"invalid_choice": "That is not one of the choices."}

CAPABILITY_CHOICES = [(name, name.replace("_", " ").capitalize()) for name in CAPABILITY_FIELDS]

STATUS_CHOICES = [
    ("", "Active and deprecated"),
    (LanguageModel.Status.ACTIVE, "Active only"),
    (LanguageModel.Status.DEPRECATED, "Deprecated only"),
    (LanguageModel.Status.RETIRED, "Retired only"),
    ("all", "All, including retired"),
]

SORT_CHOICES = [
    ("", "Name"),
    ("newest", "Newest"),
    ("cheapest_input", "Cheapest input price"),
    ("cheapest_blended", "Cheapest blended price (70% input / 30% output)"),
    ("largest_context", "Largest context window"),
]

ORDERINGS = {
    "": LanguageModelQuerySet.by_name,
    "newest": LanguageModelQuerySet.newest_first,
    "cheapest_input": LanguageModelQuerySet.cheapest_input_first,
    "cheapest_blended": LanguageModelQuerySet.cheapest_blended_first,
    "largest_context": LanguageModelQuerySet.largest_context_first,
}


SINGLE_VALUE_FIELDS = (
    "organization",
    "provider",
    "max_input_price",
    "max_output_price",
    "min_context",
    "year",
    "status",
    "sort",
)


def _release_years() -> list[tuple[str, str]]:
    years = LanguageModel.objects.dates("release_date", "year", order="DESC")
    return [("", "Any year"), *((str(d.year), str(d.year)) for d in years)]


class ExplorerForm(forms.Form):
    """The filters of the model explorer (`/models/`).

    A value that makes no sense is ignored rather than rejected: the page still answers, with the
    remaining filters applied and a note naming each ignored field (`ignored`).
    """

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Model or organization", "autocomplete": "off"}),
    )
    capability = forms.MultipleChoiceField(
        label="Must support",
        required=False,
        choices=CAPABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages=NOT_A_CHOICE,
    )
    license_kind = forms.MultipleChoiceField(
        label="License",
        required=False,
        choices=License.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=NOT_A_CHOICE,
    )
    organization = forms.ModelChoiceField(
        label="Organization",
        required=False,
        queryset=Organization.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any organization",
        error_messages=NOT_A_CHOICE,
    )
    provider = forms.ModelChoiceField(
        label="Provider",
        required=False,
        queryset=Provider.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any provider",
        error_messages=NOT_A_CHOICE,
    )
    max_input_price = forms.DecimalField(
        label="Max input price (USD / 1M tokens)",
        required=False,
        min_value=Decimal(0),
        **PRICE_DIGITS,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    max_output_price = forms.DecimalField(
        label="Max output price (USD / 1M tokens)",
        required=False,
        min_value=Decimal(0),
        **PRICE_DIGITS,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    min_context = forms.IntegerField(
        label="Min context window (tokens)",
        required=False,
        min_value=1,
        max_value=2_147_483_647,  # the column is a PositiveIntegerField
    )
    year = forms.TypedChoiceField(
        label="Released in",
        required=False,
        choices=_release_years,
        coerce=int,
        empty_value=None,
        error_messages=NOT_A_CHOICE,
    )
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES, error_messages=NOT_A_CHOICE)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES, error_messages=NOT_A_CHOICE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data = self.data.copy()  # a QueryDict is immutable; ignored values are dropped from the copy
        # One query for the years, shared by validation and rendering.
        self.fields["year"].choices = functools.cache(_release_years)
        self.ignored: list[tuple[str, str]] = []
        # Multi-valued fields keep their known values; only the unknown ones are ignored.
        for name in ("capability", "license_kind"):
            values = self.data.getlist(name)
            known = {value for value, _ in self.fields[name].choices}
            kept = [value for value in values if value in known]
            if len(kept) != len(values):
                self.data.setlist(name, kept)
                self.ignored.append((self.fields[name].label, "Unknown values were left out."))

    def full_clean(self) -> None:
        super().full_clean()
        for name, errors in self.errors.items():
            self.ignored.append((self.fields[name].label, " ".join(errors)))
            self.data.pop(name, None)  # so the form shows what was applied, not the bad value
            self.cleaned_data.pop(name, None)

    def single_value_fields(self) -> list[forms.BoundField]:
        """The fields shown as one labelled input each (search and the checkbox groups are laid out apart)."""
        return [self[name] for name in SINGLE_VALUE_FIELDS]

    def apply(self, models: LanguageModelQuerySet) -> LanguageModelQuerySet:
        """The models matching the valid filters, in the chosen order."""
        self.is_valid()  # validates once; invalid fields are then absent from cleaned_data
        data = getattr(self, "cleaned_data", {})  # an unbound form filters nothing
        if data.get("q"):
            models = models.matching(data["q"])
        if data.get("capability"):
            models = models.supporting(*data["capability"])
        if data.get("license_kind"):
            models = models.with_license_kinds(data["license_kind"])
        if data.get("organization"):
            models = models.by_organization(data["organization"])
        if (
            data.get("provider")
            or data.get("max_input_price") is not None
            or (data.get("max_output_price") is not None)
        ):
            models = models.offered(
                provider=data.get("provider"),
                max_input_price=data.get("max_input_price"),
                max_output_price=data.get("max_output_price"),
            )
        if data.get("min_context"):
            models = models.min_context(data["min_context"])
        if data.get("year"):
            models = models.released_in(data["year"])
        status = data.get("status") or ""
        if status == "":
            models = models.active()
        elif status != "all":
            models = models.with_status(status)
        return ORDERINGS[data.get("sort", "")](models)

    def filters(self) -> ExplorerFilters:
        """The applied filters as display values, for the page's title and description."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        labels = {name: dict(self.fields[name].choices) for name in ("capability", "license_kind")}
        return ExplorerFilters(
            q=data.get("q") or "",
            capabilities=tuple(str(labels["capability"][v]) for v in sorted(data.get("capability") or ())),
            license_kinds=tuple(str(labels["license_kind"][v]) for v in sorted(data.get("license_kind") or ())),
            organization=data["organization"].name if data.get("organization") else "",
            provider=data["provider"].name if data.get("provider") else "",
            max_input_price=data.get("max_input_price"),
            max_output_price=data.get("max_output_price"),
            min_context=data.get("min_context"),
            year=data.get("year"),
            status=data.get("status") or "",
            sort=data.get("sort") or "",
        )

    def canonical_query(self, page_number: int = 1) -> str:
        """This result set's query string in one clean form: only known, valid, non-default parameters,
        sorted by name (repeated values sorted too), numbers written plainly, the page past the first."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        pairs: list[tuple[str, str]] = []
        for name in self.fields:
            value = data.get(name)
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, list):
                pairs += [(name, v) for v in sorted(set(value))]
            elif isinstance(value, db_models.Model):
                pairs.append((name, value.slug))
            elif isinstance(value, Decimal):
                pairs.append((name, f"{value.normalize():f}"))
            else:
                pairs.append((name, str(value)))
        if page_number > 1:
            pairs.append(("page", str(page_number)))
        return urlencode(sorted(pairs))

"""GET forms of the comparison pages: the picker, the pair page's widgets, the multi-model selection.

The pair page's widgets (cost calculator, pricing filters, capability toggle) are three Django forms whose
inputs all belong to one HTML form, `#pair-widgets` (the `form` attribute), so a request from any widget
carries the state of every widget: each URL is the whole state of the page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db import models

from catalog.models import LanguageModel, Provider

from .calculator import DEFAULT_WORKLOAD, Workload
from .facts import ModelFacts

PICKER_MATCHES = 20
NOT_IN_CATALOG = "That model is not in the catalog."


class ModelChoice(forms.CharField):
    """A model named by its slug or its name; what the reader typed stays in the box, never a list of all models.

    Without JavaScript the reader types a name (or part of one); with it, the search box's listbox fills the
    slug in. An exact slug, or a name only one model has, chooses that model; text that several models match
    is an error listing up to 20 of them (`matches`), each a link that completes the choice.
    """

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=100, strip=True, **kwargs)
        self.error_messages["max_length"] = NOT_IN_CATALOG
        self.widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "placeholder": "Model name, e.g. Llama 3.2 1B"}
        )


def resolve_model(text: str) -> tuple[LanguageModel | None, list[LanguageModel]]:
    """The model `text` names (slug, then exact name, then the only match), else the models it matches."""
    exact = list(
        LanguageModel.objects.filter(models.Q(slug=text) | models.Q(name__iexact=text)).only("slug", "name")[:3]
    )
    by_slug = [m for m in exact if m.slug == text]
    if by_slug:
        return by_slug[0], []
    if len(exact) == 1:
        return exact[0], []
    matches = list(LanguageModel.objects.matching(text).with_related().by_name()[: PICKER_MATCHES + 1])
    if len(matches) == 1:
        return matches[0], []
    return None, matches[:PICKER_MATCHES]


class PairPickerForm(forms.Form):
    """Two models to compare; `canonical_pair()` gives their slugs in URL order (slug a < slug b)."""

    a = ModelChoice(label="Compare")
    b = ModelChoice(label="with")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["a"].error_messages["required"] = "Choose the first model."
        self.fields["b"].error_messages["required"] = "Choose the second model."
        self.matches: dict[str, list[LanguageModel]] = {}

    def _clean_model(self, name: str) -> str:
        text = self.cleaned_data[name]
        model, matches = resolve_model(text)
        if model is not None:
            return model.slug
        if matches:
            self.matches[name] = matches
            more = "more than " if len(matches) == PICKER_MATCHES else ""
            raise forms.ValidationError(f"{more}{len(matches)} models match that: choose one below.".capitalize())
        raise forms.ValidationError(NOT_IN_CATALOG)

    def clean_a(self) -> str:
        return self._clean_model("a")

    def clean_b(self) -> str:
        return self._clean_model("b")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("a") and data.get("a") == data.get("b"):
            raise forms.ValidationError("Choose two different models.")
        return data

    def canonical_pair(self) -> tuple[str, str]:
        a, b = self.cleaned_data["a"], self.cleaned_data["b"]
        return (a, b) if a < b else (b, a)

    def match_links(self) -> dict[str, list[tuple[str, str]]]:
        """For each ambiguous field: (model name, the picker query that chooses it, the other field kept)."""
        links: dict[str, list[tuple[str, str]]] = {}
        for name, matches in self.matches.items():
            links[name] = []
            for m in matches:
                query = {"a": self.data.get("a", ""), "b": self.data.get("b", "")} | {name: m.slug}
                links[name].append((m.name, urlencode(query)))
        return links


WIDGETS_FORM = "pair-widgets"
MAX_TOKENS = 10**13  # ten trillion tokens a month; more is a typo, not a workload
MAX_COMPARED = 4


class QueryCheckbox(forms.CheckboxInput):
    """A checkbox that reads `0`, `off`, `false` and `no` in a hand-written query string as unticked."""

    OFF = frozenset({"", "0", "off", "false", "no"})

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in self.OFF:
            return False
        return super().value_from_datadict(data, files, name)


def _in_widgets_form(**attrs: str) -> dict[str, str]:
    return {"form": WIDGETS_FORM, **attrs}


def _tokens_field(label: str, default: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_TOKENS,
        error_messages={
            "invalid": "Enter a whole number of tokens, such as 7000000.",
            "min_value": "Enter 0 or more tokens.",
            "max_value": "Enter at most 10,000,000,000,000 tokens a month.",
        },
        # data-default: site.js leaves a field at its default out of the URL (the server assumes it).
        widget=forms.NumberInput(
            attrs=_in_widgets_form(min="0", step="1", inputmode="numeric", **{"data-default": str(default)})
        ),
    )


class _BoundOnlyWhenPresent(forms.Form):
    """Bound only when the query string names one of its fields, so a plain URL shows the defaults."""

    FIELDS: tuple[str, ...] = ()

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None and not any(name in data for name in self.FIELDS):
            data = None
        super().__init__(data, **kwargs)


def _percent_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        error_messages={
            "invalid": "Enter a percentage from 0 to 100.",
            "min_value": "Enter a percentage from 0 to 100.",
            "max_value": "Enter a percentage from 0 to 100.",
            "max_digits": "Enter a percentage from 0 to 100.",
            "max_decimal_places": "Enter a percentage with at most 2 decimals.",
            "max_whole_digits": "Enter a percentage from 0 to 100.",
        },
        widget=forms.NumberInput(
            attrs=_in_widgets_form(min="0", max="100", step="any", inputmode="decimal", **{"data-default": "0"})
        ),
    )


def _count_field(label: str, default: int, maximum: int, unit: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        error_messages={
            "invalid": f"Enter a whole number of {unit}.",
            "min_value": f"Enter 0 or more {unit}.",
            "max_value": f"Enter at most {maximum:,} {unit}.",
        },
        widget=forms.NumberInput(
            attrs=_in_widgets_form(min="0", step="1", inputmode="numeric", **{"data-default": str(default)})
        ),
    )


TIER_CHOICES = [
    ("standard", "Standard"),
    ("batch", "Batch (asynchronous, where offered)"),
    ("flex", "Flex (slower, where offered)"),
    ("priority", "Priority (where offered)"),
]
MAX_REQUESTS_PER_DAY = 10**9
MAX_TOKENS_PER_REQUEST = 100_000_000


class CostCalculatorForm(_BoundOnlyWhenPresent):
    """A monthly workload and a provider per model; an empty field takes its default.

    The volume is either monthly tokens or requests per day x tokens per request (30 days a month). The
    default (7M input, 3M output tokens, standard tier, no cache, each model's cheapest provider) is the
    70/30 blend the page quotes, so its costs are 10x the blended prices per 1M tokens.
    """

    FIELDS = (
        "mode", "in", "out", "reasoning", "prompt", "rpd", "inr", "outr", "rr",
        "cached", "writes", "tier", "batch", "pa", "pb",
    )  # fmt: skip
    DEFAULTS = {
        "in": str(DEFAULT_WORKLOAD.input_tokens),
        "out": str(DEFAULT_WORKLOAD.output_tokens),
        "cached": "0",
        "writes": "0",
        "reasoning": "0",
        "rpd": "1000",
        "inr": "2000",
        "outr": "500",
        "rr": "0",
    }

    def __init__(self, data: Any = None, *, models: tuple[ModelFacts, ModelFacts]) -> None:
        if data is not None and any(name in data for name in self.FIELDS):
            # A field left out of the URL (or emptied) is at its default: show that value, not a blank.
            data = data.copy()
            # Left at its default (out of the URL), the mode follows the fields: a per-request value asks
            # for a per-request volume.
            per_request = any(str(data.get(name, "")).strip() for name in ("rpd", "inr", "outr", "rr"))
            for name, value in self.DEFAULTS.items():
                if not data.get(name, "").strip():
                    data[name] = value
            if not data.get("tier", "").strip():
                # `batch=1` (the calculator's earlier checkbox) still asks for the batch tier.
                ticked = str(data.get("batch", "")).strip().lower() not in QueryCheckbox.OFF
                data["tier"] = "batch" if ticked else "standard"
            if not data.get("mode", "").strip():
                data["mode"] = "requests" if per_request else "tokens"
        super().__init__(data, initial={**self.DEFAULTS, "mode": "tokens", "tier": "standard"})
        # "in" is a Python keyword, so the fields are added here rather than declared on the class.
        self.fields["mode"] = forms.ChoiceField(
            label="Volume given as",
            required=False,
            choices=[("tokens", "Tokens per month"), ("requests", "Requests per day")],
            widget=forms.RadioSelect(attrs=_in_widgets_form(**{"data-default": "tokens"})),
        )
        self.fields["in"] = _tokens_field("Input tokens per month", DEFAULT_WORKLOAD.input_tokens)
        self.fields["out"] = _tokens_field("Output tokens per month", DEFAULT_WORKLOAD.output_tokens)
        self.fields["reasoning"] = _tokens_field("Reasoning tokens per month", 0)
        self.fields["prompt"] = _count_field(
            "Prompt length of one request (tokens, optional)", 0, MAX_TOKENS_PER_REQUEST, "tokens"
        )
        self.fields["rpd"] = _count_field("Requests per day", 1000, MAX_REQUESTS_PER_DAY, "requests")
        self.fields["inr"] = _count_field("Input tokens per request", 2000, MAX_TOKENS_PER_REQUEST, "tokens")
        self.fields["outr"] = _count_field("Output tokens per request", 500, MAX_TOKENS_PER_REQUEST, "tokens")
        self.fields["rr"] = _count_field("Reasoning tokens per request", 0, MAX_TOKENS_PER_REQUEST, "tokens")
        self.fields["cached"] = _percent_field("Share of input read from the prompt cache (%)")
        self.fields["writes"] = _percent_field("Share of input written to the prompt cache (%)")
        self.fields["tier"] = forms.ChoiceField(
            label="Service tier",
            required=False,
            choices=TIER_CHOICES,
            error_messages={"invalid_choice": "Choose standard, batch, flex or priority."},
            widget=forms.Select(attrs=_in_widgets_form(**{"data-default": "standard"})),
        )
        for name, model in zip(("pa", "pb"), models, strict=True):
            priced = [o for o in model.active_offerings if o.input_price is not None and o.output_price is not None]
            self.fields[name] = forms.ChoiceField(
                label=f"Provider for {model.name}",
                required=False,
                choices=[("", "Cheapest tracked provider"), *((o.provider_slug, o.provider_name) for o in priced)],
                error_messages={"invalid_choice": f"That provider has no input and output price for {model.name}."},
                widget=forms.Select(attrs=_in_widgets_form()),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        cached, writes = data.get("cached"), data.get("writes")
        if cached is not None and writes is not None and cached + writes > 100:
            self.add_error("writes", "Cache reads and cache writes together cannot exceed 100% of the input.")
        return data

    @property
    def requests_mode(self) -> bool:
        if not self.is_bound:
            return False
        return (self.cleaned_data.get("mode") if self.is_valid() else self.data.get("mode")) == "requests"

    def workload(self) -> Workload | None:
        """The workload asked for, the default when unbound, None when a value is invalid."""
        if not self.is_bound:
            return DEFAULT_WORKLOAD
        if not self.is_valid():
            return None
        data = self.cleaned_data

        def pick(name: str) -> Any:
            return int(self.DEFAULTS[name]) if data.get(name) is None else data[name]

        cached = data.get("cached") or Decimal(0)
        writes = data.get("writes") or Decimal(0)
        tier = data.get("tier") or "standard"
        if data.get("mode") == "requests":
            return Workload.from_requests(
                pick("rpd"),
                pick("inr"),
                pick("outr"),
                reasoning_per_request=pick("rr"),
                cached_percent=cached,
                cache_write_percent=writes,
                tier=tier,
            )
        return Workload.from_tokens(
            pick("in"),
            pick("out"),
            cached,
            reasoning_tokens=pick("reasoning"),
            cache_write_percent=writes,
            tier=tier,
            prompt_tokens=data.get("prompt") or None,
        )

    def error_list(self) -> list[tuple[str, str]]:
        """(label, message) for each invalid field, shown beside the results too (they are swapped alone)."""
        if not self.is_bound:
            return []
        return [
            (self.fields[name].label if name in self.fields else "Workload", " ".join(errors))
            for name, errors in self.errors.items()
        ]

    def providers(self) -> tuple[str, str]:
        """The provider slug chosen for each model; "" means its cheapest."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("pa", ""), data.get("pb", "")


PROVIDER_KIND_CHOICES = [
    (Provider.Kind.FIRST_PARTY, "First-party"),
    (Provider.Kind.AGGREGATOR, "Aggregator"),
    (Provider.Kind.CLOUD, "Cloud"),
    (Provider.Kind.INFERENCE, "Inference host"),
]


class PricingFilterForm(_BoundOnlyWhenPresent):
    """Which providers the pricing tables list: by kind, and only those serving both models.

    An unknown kind in the URL is left out with a note rather than rejected.
    """

    FIELDS = ("kind", "both")

    kind = forms.MultipleChoiceField(
        label="Provider kind",
        required=False,
        choices=PROVIDER_KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs=_in_widgets_form()),
    )
    both = forms.BooleanField(
        label="Only providers that serve both models",
        required=False,
        widget=QueryCheckbox(attrs=_in_widgets_form(value="1")),
    )

    def __init__(self, data: Any = None, *, present_kinds: set[str] | None = None) -> None:
        super().__init__(data)
        self.ignored: list[str] = []
        if self.is_bound:
            known = {value for value, _ in PROVIDER_KIND_CHOICES}
            values = self.data.getlist("kind") if hasattr(self.data, "getlist") else []
            kept = [value for value in values if value in known]
            if len(kept) != len(values):
                self.data = self.data.copy()
                self.data.setlist("kind", kept)
                self.ignored.append("An unknown provider kind was left out.")
        # Offer only the kinds this pair has (and any ticked), so no box filters everything away.
        if present_kinds is not None:
            ticked = set(self.data.getlist("kind")) if self.is_bound else set()
            self.fields["kind"].choices = [
                (value, label) for value, label in PROVIDER_KIND_CHOICES if value in present_kinds | ticked
            ]

    def kinds(self) -> set[str]:
        return set(self.cleaned_data.get("kind", [])) if self.is_bound and self.is_valid() else set()

    def shared_only(self) -> bool:
        return bool(self.cleaned_data.get("both")) if self.is_bound and self.is_valid() else False


class CapabilityFilterForm(_BoundOnlyWhenPresent):
    FIELDS = ("diff",)

    diff = forms.BooleanField(
        label="Show only differences",
        required=False,
        widget=QueryCheckbox(attrs=_in_widgets_form(value="1")),
    )

    def only_differences(self) -> bool:
        return bool(self.cleaned_data.get("diff")) if self.is_bound and self.is_valid() else False


def compare_selection(values: list[str]) -> tuple[list[str] | None, str]:
    """The canonical (sorted, distinct) slugs of 2 to 4 ticked models, or None and what is wrong: one query."""
    slugs = sorted({value.strip() for value in values if value.strip()})
    if len(slugs) < 2:
        return None, "Tick at least two different models to compare."
    if len(slugs) > MAX_COMPARED:
        return None, f"Tick at most {MAX_COMPARED} models to compare ({len(slugs)} ticked)."
    if any(len(slug) > 120 for slug in slugs):
        return None, "One of the ticked models is not in the catalog."
    found = set(LanguageModel.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if len(found) != len(slugs):
        return None, "One of the ticked models is not in the catalog."
    return slugs, ""

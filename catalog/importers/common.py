"""What both readers produce (source-neutral records), money and date parsing, fetching a URL.

A reader turns one public catalog into a `SourceCatalog`: canonical model records (entries the source
describes as a model of its own), listing records (one provider's offering, with its prices), and the count
of entries it skipped, by reason. It never raises on one bad entry: the entry is counted under
"unparseable: <why>" and kept in `errors` with its key.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from catalog.models import MAX_TOKENS, MODALITIES, PRICE_DIGITS

PriceKey = tuple[str, str, int]  # (dimension, tier, context threshold)

# The rounding rule: a price is USD per 1M tokens, rounded half-even to the price field's 6 decimal places.
# Source texts such as models.dev `0.09999999999999999` or LiteLLM `1.6000000000000001e-06` (per token)
# become 0.1 and 1.6: the same Decimal the database holds, so a second import compares equal.
PRICE_QUANTUM = Decimal(1).scaleb(-PRICE_DIGITS["decimal_places"])
PRICE_MAX = Decimal(10) ** (PRICE_DIGITS["max_digits"] - PRICE_DIGITS["decimal_places"]) - PRICE_QUANTUM
PER_MILLION = Decimal(1_000_000)

# The key our compatibility exports (comparisons.api.compat) add, set to true, to an entry whose key they built from
# our own ids because the crosswalk holds none of the source's: the key is ours, not an id the source uses, so an
# import matches the entry as any other but never records its key in the crosswalk as that source's id.
DERIVED_KEY = "llmref_derived_key"

FETCH_TIMEOUT_SECONDS = 30
FETCH_MAX_BYTES = 64 * 1024 * 1024


class ImportSourceError(Exception):
    """The source as a whole cannot be read (missing path, unreachable URL, not JSON/TOML at all)."""


class EntryError(ValueError):
    """One entry cannot be read; the reader counts it and goes on."""


@dataclass
class ModelRecord:
    """A model the source describes as one (a models.dev lab file, a LiteLLM first-party entry)."""

    key: str  # canonical key "<lab>/<model id>", lowercase, e.g. "openai/gpt-4o"
    external_id: str  # as the source writes it
    lab: str  # the organization's key in this source, e.g. "openai"
    name: str
    facts: dict[str, Any]  # LanguageModel field -> value; absent = the source does not say
    path: str  # the source file backing the facts
    field_paths: dict[str, str] = field(default_factory=dict)  # facts backed by another file
    successor: str = ""  # the successor's id as the source writes it
    create_only: frozenset[str] = frozenset()  # facts set only on a new model (LiteLLM's "name" is an id)


@dataclass
class ListingRecord:
    """One provider's listing of a model: an offering with its prices."""

    external_id: str
    provider: str  # the provider's key in this source
    provider_model_id: str
    candidates: list[str]  # canonical keys to try, in order (the matching rules in catalog.importers)
    facts: dict[str, Any]  # Offering field -> value
    prices: dict[PriceKey, Decimal]
    path: str
    preference: tuple = ()  # lower sorts first when two listings are the same offering
    field_paths: dict[str, str] = field(default_factory=dict)  # facts backed by another file
    derived_key: bool = False  # the entry carries DERIVED_KEY: external_id is not the source's id


@dataclass
class ProviderRecord:
    key: str
    name: str
    website: str = ""
    path: str = ""


@dataclass
class SourceCatalog:
    catalog: str  # ExternalId.Catalog value
    models: dict[str, ModelRecord] = field(default_factory=dict)
    listings: list[ListingRecord] = field(default_factory=list)
    providers: dict[str, ProviderRecord] = field(default_factory=dict)
    lab_names: dict[str, str] = field(default_factory=dict)  # lab key -> display name
    first_party: set[str] = field(default_factory=set)  # provider keys that are a lab's own API
    skipped: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    unmapped_price_keys: Counter = field(default_factory=Counter)
    paths: set[str] = field(default_factory=set)  # every source file read

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def error(self, key: str, reason: str) -> None:
        self.skipped[f"unparseable: {reason.split(':')[0]}"] += 1
        self.errors.append((key, reason))


def price_from_text(value: Any, *, per_token: bool) -> Decimal:
    """USD per 1M tokens from a price as the source wrote it (Decimal from the JSON/TOML text, never a float)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise EntryError(f"price is not a number: {value!r}")
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise EntryError(f"price is not a number: {value!r}") from exc
    if not amount.is_finite():
        raise EntryError(f"price is not a finite number: {value!r}")
    if per_token:
        amount *= PER_MILLION
    amount = amount.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
    if amount < 0:
        raise EntryError(f"negative price: {value!r}")
    if amount > PRICE_MAX:
        raise EntryError(f"price beyond ${PRICE_MAX} per 1M: {value!r}")
    return amount.normalize() if amount else Decimal(0)


def token_count(value: Any, name: str) -> int | None:
    """A positive token count within the catalog's bound, else None (the source said nothing usable)."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise EntryError(f"{name} is not a whole number: {value!r}")
    return value if 0 < value <= MAX_TOKENS else None


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_date(value: Any, name: str) -> tuple[datetime.date, str] | None:
    """(date, precision) from "YYYY-MM-DD" / "YYYY-MM" / a TOML date; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date(), "day"
    if isinstance(value, datetime.date):
        return value, "day"
    if isinstance(value, str):
        try:
            if match := _DAY.match(value):
                return datetime.date(int(match[1]), int(match[2]), int(match[3])), "day"
            if match := _MONTH.match(value):
                return datetime.date(int(match[1]), int(match[2]), 1), "month"
        except ValueError as exc:
            raise EntryError(f"{name} is not a date: {value!r}") from exc
    raise EntryError(f"{name} is not a date: {value!r}")


def modalities(value: Any) -> list[str] | None:
    """The catalog's vocabulary only (LiteLLM's "code" is not a modality), in the catalog's order."""
    if not isinstance(value, list):
        return None
    given = {str(v).lower() for v in value}
    return [m for m in MODALITIES if m in given] or None


def slug_part(text: str) -> str:
    """'gpt-4.1' -> 'gpt-4-1', 'Qwen/Qwen3-235B' -> 'qwen-qwen3-235b': lowercase, runs of other characters -> '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def read_bytes(location: str) -> tuple[bytes, str]:
    """The content of a local file or a URL (http, https, file), with a timeout and a size limit.

    Returns (content, the location as cited). Raises ImportSourceError with a clear message otherwise.
    """
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme in ("http", "https", "file"):
        try:
            with urllib.request.urlopen(location, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                content = response.read(FETCH_MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise ImportSourceError(f"Cannot fetch {location}: {exc}") from exc
        if len(content) > FETCH_MAX_BYTES:
            raise ImportSourceError(f"{location} is larger than {FETCH_MAX_BYTES:,} bytes; refusing to import it.")
        return content, location
    path = Path(location)
    if not path.is_file():
        raise ImportSourceError(f"{location}: no such file.")
    if path.stat().st_size > FETCH_MAX_BYTES:
        raise ImportSourceError(f"{location} is larger than {FETCH_MAX_BYTES:,} bytes; refusing to import it.")
    return path.read_bytes(), str(path)

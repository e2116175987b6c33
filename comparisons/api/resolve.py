"""/api/v1/resolve: another catalog's id -> our model and offering, or the explicit candidates; never a guess.

`crosswalk_lookup` is the one function to re-point at the `ExternalId` crosswalk when it lands. Until then it
knows only ids this catalog records itself: an offering's `provider_model_id`, matched exactly. One id naming
offerings of different models is ambiguous: no match, and every one of them is listed as a candidate. An id that
matches nothing lists as candidates the offerings whose provider model id equals its last path segment (the
LiteLLM route "bedrock/us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0" -> "anthropic.claude-...") without
choosing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Offering

SOURCES = ("litellm", "models.dev", "openrouter")


@dataclass(frozen=True, order=True)
class Target:
    model: str
    provider: str
    provider_model_id: str


@dataclass(frozen=True)
class Resolution:
    model: str | None  # the one model the id names, None when it names none or several
    offering: Target | None  # the one offering, when the id names exactly one
    candidates: tuple[Target, ...]
    ambiguous: bool = False  # the id names offerings of several models


def _targets(provider_model_id: str) -> list[Target]:
    rows = Offering.objects.filter(provider_model_id=provider_model_id).values_list(
        "model__slug", "provider__slug", "provider_model_id"
    )
    return sorted(Target(*row) for row in rows)


def crosswalk_lookup(source: str, external_id: str) -> Resolution:
    """Two queries at most."""
    exact = _targets(external_id)
    models = {t.model for t in exact}
    if len(models) == 1:
        return Resolution(model=exact[0].model, offering=exact[0] if len(exact) == 1 else None, candidates=())
    if exact:
        return Resolution(model=None, offering=None, candidates=tuple(exact), ambiguous=True)
    tail = external_id.rsplit("/", 1)[-1]
    return Resolution(model=None, offering=None, candidates=tuple(_targets(tail)) if tail != external_id else ())

"""/api/v1/resolve: another catalog's id -> our model and offering, or the explicit candidates; never a guess.

In this order, the first step that names something answers (`matched_by` says which):

1. "crosswalk": an `ExternalId` row of that catalog, as a reviewer approved it. The id is also tried as the
   catalog writes it elsewhere: models.dev's "openai/gpt-4o" is its file "providers/openai/models/gpt-4o" (or the
   lab file "models/openai/gpt-4o"); an OpenRouter id "openai/gpt-4o" is models.dev's
   "providers/openrouter/models/openai/gpt-4o" and LiteLLM's "openrouter/openai/gpt-4o".
2. "provider_model_id": an offering whose recorded provider model id is exactly the id.
3. "normalisation": the importers' written rules (catalog.importers.matching.listing_candidates: route and region
   segments, vendor prefixes, Bedrock and Vertex spellings) turn the id into canonical keys "<lab>/<model id>";
   a key names the model of that lab whose slug is the model id's slug (or whose models.dev lab file has that id);
   "*/<model id>" (no lab in the id) names the one model with that model id in any lab.

An id naming several models is ambiguous: no match, every one of them listed. An id that matches nothing lists as
candidates, without choosing one, the offerings whose provider model id is a tail of it in whole segments
("bedrock/x/us-east-1/anthropic.claude-..." -> "us-east-1/anthropic.claude-...") and the model whose slug is its
normalised model id (in another lab than the id names).
At most seven queries, whatever the catalog's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from catalog.importers import litellm as litellm_reader
from catalog.importers import models_dev as models_dev_reader
from catalog.importers.common import slug_part
from catalog.importers.matching import VENDOR_LABS, listing_candidates
from catalog.importers.plan import PROVIDER_SLUGS, canonical, lab_of_org
from catalog.models import ExternalId, LanguageModel, Offering

SOURCES = ("litellm", "models.dev", "openrouter")
LABS = frozenset(VENDOR_LABS.values())


@dataclass(frozen=True, order=True)
class Target:
    model: str
    provider: str | None = None  # None: a model, not one provider's offering of it
    provider_model_id: str | None = None


@dataclass(frozen=True)
class Resolution:
    model: str | None  # the one model the id names, None when it names none or several
    offering: Target | None  # the one offering, when the id names exactly one
    candidates: tuple[Target, ...]
    ambiguous: bool = False  # the id names several models
    matched_by: str | None = None  # "crosswalk", "provider_model_id" or "normalisation"


@dataclass(frozen=True)
class Reading:
    """What an id says by the importers' rules: the provider it is listed at and the canonical keys it may be."""

    crosswalk: tuple[tuple[str, str], ...]  # (catalog, external id) spellings to look up
    provider: str | None  # our provider slug, when the id names one
    keys: tuple[str, ...]  # "<lab>/<model id>" or "*/<model id>", most specific first


def read_id(source: str, external_id: str) -> Reading:
    """Pure: the crosswalk spellings, provider and canonical keys of one id of `source`."""
    text = external_id.strip()
    segments = [s for s in text.split("/") if s]
    if source == "litellm":
        head = segments[0] if len(segments) > 1 else ""
        keys = listing_candidates(
            text,
            routes=litellm_reader.routes(head) if head else set(),
            dotted_vendors=head.startswith("bedrock") or head == "oci",
            own_lab=litellm_reader.FIRST_PARTY.get(head, ""),
        )
        provider = PROVIDER_SLUGS.get(("litellm", head), slug_part(head)) if head else None
        return Reading(crosswalk=(("litellm", text),), provider=provider, keys=tuple(keys))
    if source == "models.dev":
        spellings = [text]
        if text.startswith("models/") and len(segments) >= 3:
            return Reading(crosswalk=(("models.dev", text),), provider=None, keys=("/".join(segments[1:]).lower(),))
        if text.startswith("providers/") and "/models/" in text:
            provider_key, _sep, model_id = text.removeprefix("providers/").partition("/models/")
        elif len(segments) >= 2:
            provider_key, model_id = segments[0], "/".join(segments[1:])
            spellings += [f"providers/{provider_key}/models/{model_id}", f"models/{text}"]
        else:
            return Reading(crosswalk=(("models.dev", text),), provider=None, keys=(f"*/{text.lower()}",))
        keys = listing_candidates(
            model_id,
            routes={provider_key},
            dotted_vendors=provider_key in models_dev_reader.DOTTED_PROVIDERS,
            own_lab=provider_key if provider_key in LABS else "",
        )
        provider = PROVIDER_SLUGS.get(("models.dev", provider_key), slug_part(provider_key))
        return Reading(crosswalk=tuple(("models.dev", s) for s in spellings), provider=provider, keys=tuple(keys))
    # OpenRouter: "<vendor>/<model>", which models.dev and LiteLLM list under their openrouter provider.
    spellings = (("openrouter", text), ("models.dev", f"providers/openrouter/models/{text}"),
                 ("litellm", f"openrouter/{text}"))  # fmt: skip
    keys = listing_candidates(text, routes={"openrouter"}, dotted_vendors=False)
    return Reading(crosswalk=spellings, provider="openrouter", keys=tuple(keys))


def _offering_target(offering: Offering) -> Target:
    return Target(offering.model.slug, offering.provider.slug, offering.provider_model_id)


def _answer(models: dict[str, Target | None], matched_by: str) -> Resolution:
    """One model (with its offering when exactly one is named), or ambiguous with every one listed."""
    if len(models) == 1:
        ((slug, offering),) = models.items()
        return Resolution(model=slug, offering=offering, candidates=(), matched_by=matched_by)
    listed = sorted(offering or Target(slug) for slug, offering in models.items())
    return Resolution(model=None, offering=None, candidates=tuple(listed), ambiguous=True)


def _per_model(offerings: list[Offering], models: list[LanguageModel]) -> dict[str, Target | None]:
    """model slug -> its one offering named (None: the model, or several of its offerings)."""
    targets: dict[str, set[Target]] = {m.slug: set() for m in models}
    for offering in offerings:
        targets.setdefault(offering.model.slug, set()).add(_offering_target(offering))
    return {slug: next(iter(ts)) if len(ts) == 1 else None for slug, ts in targets.items()}


def _from_crosswalk(reading: Reading) -> dict[str, Target | None]:
    condition = Q()
    for catalog, spelling in reading.crosswalk:
        condition |= Q(source=catalog, external_id=spelling)
    rows = list(ExternalId.objects.filter(condition).select_related("model", "offering__model", "offering__provider"))
    return _per_model([r.offering for r in rows if r.offering_id], [r.model for r in rows if r.model_id])


def _from_provider_model_id(external_id: str) -> dict[str, Target | None]:
    offerings = Offering.objects.filter(provider_model_id=external_id).select_related("model", "provider")
    return _per_model(list(offerings), [])


def _canonical_models(reading: Reading) -> dict[tuple[str, str], LanguageModel]:
    """(lab, model id slug) -> model for the keys of this reading, as the importers index them: a live model
    under its organization's lab and slug, overridden by a models.dev lab file's crosswalk row. Two queries."""
    wanted = [(lab, model_id) for lab, _sep, model_id in (key.partition("/") for key in reading.keys)]
    index: dict[tuple[str, str], LanguageModel] = {}
    slugs = {slug_part(model_id) for _lab, model_id in wanted}
    for m in LanguageModel.objects.filter(slug__in=slugs).select_related("organization"):
        index.setdefault((lab_of_org(m.organization.slug), m.slug), m)
    lab_files = Q()
    for _lab, model_id in wanted:
        lab_files |= Q(external_id__iendswith=f"/{model_id}")
    rows = ExternalId.objects.filter(lab_files, source="models.dev", external_id__startswith="models/")
    for row in rows.filter(model__isnull=False).select_related("model"):
        index[canonical(row.external_id.removeprefix("models/").lower())] = row.model
    return index


def _from_rules(reading: Reading) -> dict[str, Target | None]:
    if not reading.keys:
        return {}
    index = _canonical_models(reading)
    for key in reading.keys:
        lab, _sep, model_id = key.partition("/")
        wanted = slug_part(model_id)
        if lab == "*":
            models = {m.pk: m for (_lab, slug), m in index.items() if slug == wanted}
        else:
            models = {m.pk: m for m in [index.get((lab, wanted))] if m is not None}
        if len(models) == 1 and reading.provider:
            offerings = list(
                Offering.objects.filter(model__in=list(models), provider__slug=reading.provider).select_related(
                    "model", "provider"
                )
            )
            return _per_model(offerings, list(models.values()))
        if models:
            return _per_model([], list(models.values()))
    return {}


def _near_misses(external_id: str, reading: Reading) -> tuple[Target, ...]:
    """For a person to choose from: offerings listed under a tail of the id (whole segments), models of the same
    model id."""
    segments = external_id.split("/")
    tails = ["/".join(segments[i:]) for i in range(1, len(segments))]
    found = set()
    if tails:
        found |= {_offering_target(o) for o in Offering.objects.filter(provider_model_id__in=tails).select_related(
            "model", "provider")}  # fmt: skip
    slugs = {slug_part(key.partition("/")[2]) for key in reading.keys}
    found |= {Target(slug) for slug in LanguageModel.objects.filter(slug__in=slugs).values_list("slug", flat=True)}
    return tuple(sorted(found))


def crosswalk_lookup(source: str, external_id: str) -> Resolution:
    """The crosswalk, then recorded provider model ids, then the written normalisation; never fuzzy."""
    reading = read_id(source, external_id)
    for step, lookup in (
        ("crosswalk", lambda: _from_crosswalk(reading)),
        ("provider_model_id", lambda: _from_provider_model_id(external_id)),
        ("normalisation", lambda: _from_rules(reading)),
    ):
        found = lookup()
        if found:
            return _answer(found, step)
    return Resolution(model=None, offering=None, candidates=_near_misses(external_id, reading))

"""Importers: public catalogs (models.dev, LiteLLM) -> one change set submitted for review.

One module per source reads it into source-neutral records (`common.SourceCatalog`): `models_dev` (the
repository tree with `base_model` inheritance and `base_model_omit`, or `api.json`) and `litellm`
(`model_prices_and_context_window.json`). `plan` compares the records with the live catalog and proposes
the differences through `catalog.services` (never a live write). The crosswalk `catalog.ExternalId` keeps
every external id an import matched, so the next import starts from what a reviewer approved; but not a key our
own compatibility export built from our ids (an entry carrying `"llmref_derived_key": true`, `common.DERIVED_KEY`):
such an entry is matched by the rules below as any other, and its key, not an id the source uses, is not recorded.

`llmref` reads our own export back (natural keys, plus rule 1a; see its docstring), `services`
applies an import's undisputed values for the local demo and holds the rest for a person, and `snapshot`
builds the catalog snapshot `make run` loads.

Matching rules (explicit, never fuzzy; a wrong match is worse than a missing one)
-----------------------------------------------------------------------------------
A canonical model is identified by (lab, model id as a slug): "openai/gpt-4.1" -> ("openai", "gpt-4-1").
A slug is the id lowercased with every run of other characters than a-z and 0-9 turned into "-".

1. Crosswalk first: an external id already in `ExternalId` for this source resolves to its row, whatever
   the other rules would say (an editor's mapping wins).
1a. Recorded provider model ids: a listing is the live model whose offering at the same provider (the
   listing's provider after `plan.PROVIDER_SLUGS`) records the listing's id as its `provider_model_id`:
   exactly, else by the written normalisation of both ids (`matching.provider_id_key`: rule 3b without
   route prefixes, with that provider's vendor spelling, e.g. Bedrock's "us-east-1/anthropic.x-v1:0" is
   "anthropic.x-v1:0"). A model record is the live model whose offering at the lab's own API
   (`plan.FIRST_PARTY_LABS_BY_PROVIDER`) records the record's model id so, else the one that this
   source's listings of that record (their first candidate naming a model is this record) name so.
   Only when exactly one live model carries the id there: when two or more do, it matches nothing (a
   listing stays unmatched, a record falls to rule 2), counted under "recorded by two or more live
   models". A record whose slug names one live model and its recorded id another keeps its slug
   (counted), unless the record is itself the lab's own listing of that id (LiteLLM's "mistral/x", a
   models.dev provider file): a listing and the record that is the same entry are one model, the
   listing's (counted). Dates are never dropped here either: "gpt-4o-2024-11-20" is our gpt-4o only
   where a live offering of gpt-4o records that exact id (the curator's word), never because "gpt-4o"
   is its prefix.
   `llmref`: an exported model without a live model of its slug and organization is the live model
   that its exported offerings' (provider slug, provider model id), by this rule, and its exported
   crosswalk ids found in the live crosswalk name, when they name exactly one, of another slug.
2. Canonical models come only from entries the source describes as a model: a models.dev lab file
   (`models/<lab>/<id>.toml`); a models.dev provider file at the lab's own provider (`providers/openai/...`)
   when no lab file exists; a LiteLLM entry of a lab's own API (`FIRST_PARTY` in litellm.py: openai,
   anthropic, gemini, mistral, ...) whose id has no "/" after the route prefix. A live model matches such
   an entry when its organization is the lab's and its slug is the id's slug (so the curated "gpt-4-1"
   of OpenAI is models.dev's "openai/gpt-4.1").
   A record that is also the lab's own listing describes the model only where the listing's live
   offering does not say it already: a limit equal to that offering's own, or the end of life it records
   ("deprecated" for a retired one, in models.dev), is the offering's. A record at a provider whose id is
   a lab's, matched by a recorded id to a model of another organization, is that offering's listing only.
3. A listing (one provider's entry) names its canonical model by, in this order:
   a. models.dev `base_model` ("openai/gpt-5.4"): the source says it is that model;
   b. its id after the written normalisation (matching.listing_candidates):
      - leading route and region segments dropped: the provider's own prefix ("azure/", "bedrock/",
        "vertex_ai/", "fireworks_ai/accounts/fireworks/models/"), region segments ("us-east-1", "eu", "global"),
      - a vendor prefix ("openai/", "meta-llama/", "qwen/", Bedrock's "anthropic.") names the lab by the
        written table `matching.VENDOR_LABS` and nothing else does,
      - Bedrock cross-region profile prefixes ("us.", "eu.", "global.") and Bedrock's version suffix
        ("-v1:0", ":0") dropped; Vertex's "@20250805" read as "-20250805" and "@default"/"-maas" dropped;
      - then "<lab>/<id>" must be a canonical model; without a vendor, at a lab's own API the lab is the
        provider's; elsewhere the id must be exactly one canonical model's id (any lab), else no match.
   Date suffixes are never dropped: "gpt-4o-2024-05-13" is not "gpt-4o" unless the source says so
   (models.dev `base_model`). Nothing else (no edit distance, no substring, no family) ever matches.
4. A listing that matches nothing is not imported: it is listed as unmatched for an editor, who maps it
   by proposing an ExternalId row in the admin (rule 1 then applies on the next import).
5. Two listings of the same offering (model, provider) - regions, routes - keep one offering: the
   lab's own listing first, then one without a region, then the shortest id. The others are recorded in
   the crosswalk against that offering; their prices are not used.
6. Two or more records of one import that are one live model (a lab's "claude-haiku-4-5" by its slug
   and "claude-haiku-4-5-20251001" by rule 1a): the one matched by the crosswalk or its slug, else the
   first by key, gives the model's facts; the others are recorded in the crosswalk against it, their
   facts not used (llmref: their offerings join the live model's, the one whose id the live offering
   records first at one provider, the others' prices not used). A model matched by another id than its
   own slug keeps its live slug and name: the record's name names the id it lists.
"""

from __future__ import annotations

from catalog.importers import litellm, models_dev
from catalog.importers.common import SourceCatalog

IMPORTER_ACCOUNT = "catalog-importer"
READERS = {"models.dev": models_dev.read, "litellm": litellm.read}


def read_catalog(catalog: str, location: str) -> SourceCatalog:
    """Read one public catalog from a path or URL (raises common.ImportSourceError when it cannot)."""
    return READERS[catalog](location)

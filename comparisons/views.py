from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from catalog.models import ChangeSet, LanguageModel, Organization

from . import changelog, charts, exports, facts, related, seo, text, widgets
from .api.endpoints import model_summary
from .compare_forms import (
    MAX_COMPARED,
    CapabilityFilterForm,
    CostCalculatorForm,
    PairPickerForm,
    PricingFilterForm,
    compare_selection,
)
from .forms import ExplorerForm
from .social import card as social_card
from .social.render import render_png

NEWEST_ON_HOME = 8
RECENT_CHANGES_ON_HOME = 5
MAKERS_ON_HOME = 12


CARD_SUFFIX = "card.png"


def _meta(
    request: HttpRequest, title: str, description: str, path: str, card: social_card.Card | None = None
) -> dict[str, str]:
    """Head data for base.html: title, meta description, canonical URL (also Open Graph and Twitter), and the
    page's social card (`path` + card.png) when it has one."""
    meta = {"title": title, "description": description, "canonical": request.build_absolute_uri(path)}
    if card is not None:
        meta |= {"image": request.build_absolute_uri(path.split("?", 1)[0] + CARD_SUFFIX), "image_alt": card.alt}
    return meta


@require_safe
def home(request: HttpRequest) -> TemplateResponse:
    context = {
        "picker": PairPickerForm(),
        "popular": related.popular_comparisons(),
        "newest": LanguageModel.objects.with_related().newest_first()[:NEWEST_ON_HOME],
        "recent_changes": ChangeSet.objects.applied()[:RECENT_CHANGES_ON_HOME],
        # The top makers and a count, not every model: the home page must not grow with the catalog.
        "makers": Organization.objects.most_models_first()[:MAKERS_ON_HOME],
        "model_counts": LanguageModel.objects.explorer_counts(),
        "meta": _meta(
            request,
            "Large language models compared from sourced facts",
            "Prices, specs, capabilities and benchmarks of large language models side by side, "
            "every fact with its source.",
            reverse("comparisons:home"),
        ),
    }
    return TemplateResponse(request, "comparisons/home.html", context)


def _compare_index_context(request: HttpRequest, form: PairPickerForm, selection_error: str = "") -> dict:
    return {
        "picker": form,
        "selection_error": selection_error,
        "popular": related.popular_comparisons(),
        "meta": _meta(
            request,
            "Compare language models",
            "Pick two to four large language models to compare their prices, specs, capabilities and benchmarks.",
            reverse("comparisons:compare-index"),
        ),
    }


@require_safe
def compare_index(request: HttpRequest) -> HttpResponse:
    """The picker. `?a=&b=` redirects to the canonical pair page; `?compare=` repeated 2-4 times (the
    explorer's compare form) to the pair or multi-model page; bad input re-shows the form (400)."""
    if "compare" in request.GET:
        slugs, error = compare_selection(request.GET.getlist("compare"))
        if slugs is not None:
            return redirect(_comparison_url(slugs))
        context = _compare_index_context(request, PairPickerForm(), error)
        return TemplateResponse(request, "comparisons/compare_index.html", context, status=400)
    status = 200
    if "a" in request.GET or "b" in request.GET:
        form = PairPickerForm(request.GET)
        if form.is_valid():
            a, b = form.canonical_pair()
            return redirect("comparisons:detail", a=a, b=b)
        status = 400
    else:
        form = PairPickerForm()
    return TemplateResponse(
        request, "comparisons/compare_index.html", _compare_index_context(request, form), status=status
    )


def _comparison_url(slugs: list[str]) -> str:
    """The canonical URL of a comparison of 2 to 4 models (slugs sorted)."""
    slugs = sorted(slugs)
    if len(slugs) == 2:
        return reverse("comparisons:detail", kwargs={"a": slugs[0], "b": slugs[1]})
    return reverse("comparisons:multi", kwargs={"slugs": "-vs-".join(slugs)})


def _htmx_partial(request: HttpRequest, partials: set[str]) -> str | None:
    """The partial an htmx request asks for through its target's id (= the partial's name), if any.

    A history restore (back/forward with no snapshot) wants the whole page.
    """
    if not request.htmx or request.htmx.history_restore_request:
        return None
    return request.htmx.target if request.htmx.target in partials else None


PAIR_PARTIALS = {"cost-results", "pricing-tables", "capabilities-table"}


@require_safe
@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
def compare_detail(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """The pair page. An htmx request from one of its widgets gets only that widget's region."""
    if a > b:
        if not facts.pair_exists(a, b):
            raise Http404("No such comparison.")
        url = reverse("comparisons:detail", kwargs={"a": b, "b": a})
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    pair = facts.pair_facts(a, b)
    if pair is None:
        return _gone_or_not_found(request, [a, b], "No such comparison.")
    calculator_form = CostCalculatorForm(request.GET, models=pair.models)
    pricing_form = PricingFilterForm(request.GET, present_kinds=widgets.present_kinds(pair.models))
    capability_form = CapabilityFilterForm(request.GET)
    workload = calculator_form.workload()
    path = reverse("comparisons:detail", kwargs={"a": a, "b": b})
    context = {
        "pair": pair,
        "a": pair.a,
        "b": pair.b,
        "page_url": path,
        "calculator_form": calculator_form,
        "cost_table": None if workload is None else widgets.cost_table(pair, workload, calculator_form.providers()),
        "pricing_form": pricing_form,
        "pricing": widgets.pricing_view(pair.models, pricing_form.kinds(), pricing_form.shared_only()),
        "capability_form": capability_form,
        "capability_rows": widgets.capability_rows(pair, capability_form.only_differences()),
    }
    partial = _htmx_partial(request, PAIR_PARTIALS)
    if partial:
        return TemplateResponse(request, f"comparisons/compare_detail.html#{partial}", context)
    faq = text.faq(pair)
    context |= {
        "summary": text.summary(pair),
        "deep_dive": text.deep_dive(pair),
        "choose_when": text.choose_when_sentences(pair),
        "faq": faq,
        "faq_jsonld": text.faq_jsonld(faq) if faq else None,
        "chart": charts.price_chart(list(pair.models)),
        "related": related.related_comparisons(list(pair.models)),
        "meta": _meta(
            request, text.title(pair), text.meta_description(pair), path, social_card.comparison_card(pair.models)
        ),
    }
    return TemplateResponse(request, "comparisons/compare_detail.html", context)


@require_safe
def compare_multi(request: HttpRequest, slugs: str) -> HttpResponse:
    """Three or four models side by side; the canonical URL lists the slugs sorted, other orders answer 301."""
    parts = slugs.split("-vs-")
    if not 3 <= len(parts) <= MAX_COMPARED or len(set(parts)) != len(parts):
        raise Http404("Compare three or four different models.")
    if parts != sorted(parts):
        if facts.existing_slugs(parts) != set(parts):
            raise Http404("No such comparison.")
        return HttpResponsePermanentRedirect(_comparison_url(parts))
    multi = facts.multi_facts(parts)
    if multi is None:
        raise Http404("No such comparison.")
    context = {
        "multi": multi,
        "pricing": widgets.pricing_view(multi.models, set(), False),
        "meta": _meta(
            request,
            seo.multi_title([m.name for m in multi.models]),
            seo.multi_description([m.name for m in multi.models]),
            request.path,
            social_card.comparison_card(multi.models),
        ),
    }
    return TemplateResponse(request, "comparisons/compare_multi.html", context)


def _gone_or_not_found(request: HttpRequest, slugs: list[str], message: str) -> TemplateResponse:
    """410 Gone when a review removed one of these models (the page names it and its successor), else 404."""
    live = facts.existing_slugs(slugs) if len(slugs) > 1 else set()
    for slug in slugs:
        removed = None if slug in live else facts.removed_model(slug)
        if removed is not None:
            context = {"removed": removed, "other_slugs": [s for s in slugs if s != slug and s in live]}
            return TemplateResponse(request, "410.html", context, status=410)
    raise Http404(message)


PICKER_RESULTS = 20


@require_safe
@vary_on_headers("HX-Request")
def picker_search(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the model picker: up to 20 models whose name or organization matches `q`.

    It answers htmx with the option list; a plain request goes to the explorer's text search.
    """
    query = request.GET.get("q", "").strip()[:100]
    if not request.htmx:
        url = reverse("comparisons:model-list")
        return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
    field = request.GET.get("for", "")
    models = LanguageModel.objects.matching(query).with_related().by_name()[:PICKER_RESULTS] if query else []
    context = {"query": query, "matches": models, "field": field if field in {"a", "b"} else "a"}
    return TemplateResponse(request, "comparisons/_picker.html#picker-options", context)


@require_safe
def model_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    single = facts.model_facts(slug)
    if single is None:
        return _gone_or_not_found(request, [slug], "No such model.")
    model = single.model
    context = {
        "model": model,
        "identity": text.model_identity(model, lifecycle=False),
        "page": single.page,
        "picker": PairPickerForm(initial={"a": model.slug}),
        "chart": charts.price_chart([model]),
        "price_history": changelog.model_price_history(model.pk, [o.pk for o in model.offerings]),
        "related": related.related_comparisons([model], limit=6),
        "meta": _meta(
            request,
            f"{model.name}: price, specs, providers",
            text.model_description(model),
            model.url,
            social_card.model_card(model),
        ),
    }
    return TemplateResponse(request, "comparisons/model_detail.html", context)


def _png(card: social_card.Card) -> HttpResponse:
    """A social card as a PNG; the page cache gives it the pages' ETag and Cache-Control, keyed on the revision."""
    return HttpResponse(render_png(card), content_type="image/png")


def _bare(request: HttpRequest) -> HttpResponse | None:
    """A card URL answers one image per catalog revision: a query string (which would make a new cache key and
    a new rendering) redirects to the bare URL."""
    return HttpResponsePermanentRedirect(request.path) if request.META.get("QUERY_STRING") else None


@require_safe
def model_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The model page's og:image."""
    if redirect_to := _bare(request):
        return redirect_to
    single = facts.model_facts(slug)
    if single is None:
        raise Http404("No such model.")
    return _png(social_card.model_card(single.model))


@require_safe
def compare_card(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """The pair page's og:image; the reverse order answers 301 to the canonical one, as the page does."""
    if a > b:
        if not facts.pair_exists(a, b):
            raise Http404("No such comparison.")
        return HttpResponsePermanentRedirect(reverse("comparisons:detail-card", kwargs={"a": b, "b": a}))
    if redirect_to := _bare(request):
        return redirect_to
    pair = facts.pair_facts(a, b)
    if pair is None:
        raise Http404("No such comparison.")
    return _png(social_card.comparison_card(pair.models))


@require_safe
def compare_multi_card(request: HttpRequest, slugs: str) -> HttpResponse:
    """The 3-4 model page's og:image; other orders of the slugs answer 301 to the canonical one."""
    parts = slugs.split("-vs-")
    if not 3 <= len(parts) <= MAX_COMPARED or len(set(parts)) != len(parts):
        raise Http404("Compare three or four different models.")
    if parts != sorted(parts):
        if facts.existing_slugs(parts) != set(parts):
            raise Http404("No such comparison.")
        return HttpResponsePermanentRedirect(_comparison_url(parts) + CARD_SUFFIX)
    if redirect_to := _bare(request):
        return redirect_to
    multi = facts.multi_facts(parts)
    if multi is None:
        raise Http404("No such comparison.")
    return _png(social_card.comparison_card(multi.models))


@require_safe
def provider_list(request: HttpRequest) -> TemplateResponse:
    listing = facts.provider_summaries(request.GET.get("page"))
    path = reverse("comparisons:provider-list")
    if listing.number > 1:
        path += f"?page={listing.number}"
    context = {
        "providers": listing,
        "meta": _meta(
            request,
            seo.paged("Providers", listing.number),
            seo.paged(
                "Every tracked provider of large language models and how many models each serves.", listing.number
            ),
            path,
        ),
    }
    return TemplateResponse(request, "comparisons/provider_list.html", context)


@require_safe
def provider_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    provider = facts.provider_facts(slug, request.GET.get("page"))
    if provider is None:
        raise Http404("No such provider.")
    path = reverse("comparisons:provider-detail", args=[provider.slug])
    if provider.listing.number > 1:
        path += f"?page={provider.listing.number}"
    context = {
        "provider": provider,
        "meta": _meta(
            request,
            seo.paged(f"{provider.name}: models and prices", provider.listing.number),
            seo.clip(
                seo.paged(
                    f"The {text.plural(provider.served_count, 'model')} {provider.name} serves, with input, output, "
                    "cached and batch prices per 1M tokens, each with its source.",
                    provider.listing.number,
                )
            ),
            path,
        ),
    }
    return TemplateResponse(request, "comparisons/provider_detail.html", context)


EXPLORER_PAGE_SIZE = 50


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def model_list(request: HttpRequest) -> TemplateResponse:
    """The model explorer. An htmx request gets only the results region; a history restore, the page."""
    form = ExplorerForm(request.GET)
    models = form.apply(LanguageModel.objects.with_related())
    page = Paginator(models, EXPLORER_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "comparisons/model_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template = "comparisons/_model_list_results.html"
    # The downloads carry the filters applied (ignored values dropped), for every page.
    applied = form.data.copy()
    applied.pop("page", None)
    export_query = f"?{applied.urlencode()}" if applied else ""
    # Every filtered view is canonical in one clean form (known parameters sorted, defaults dropped).
    canonical = form.canonical_query(page.number)
    filters = form.filters()
    context = {
        "form": form,
        "page": page,
        "export_query": export_query,
        "scatter": charts.explorer_scatter(page.object_list),
        "meta": _meta(
            request,
            seo.explorer_title(filters, page.number),
            seo.explorer_description(filters, page.paginator.count, page.number),
            reverse("comparisons:model-list") + (f"?{canonical}" if canonical else ""),
        ),
    }
    return TemplateResponse(request, template, context)


@require_safe
def model_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The explorer's results with its current filters, every page, as CSV or JSON."""
    form = ExplorerForm(request.GET)
    models = form.apply(LanguageModel.objects.with_related())
    if fmt == "csv":
        base_url = request.build_absolute_uri("/").rstrip("/")
        response = StreamingHttpResponse(exports.csv_lines(models, base_url), content_type="text/csv; charset=utf-8")
    else:
        body = {
            "ignored": [{"field": str(label), "message": message} for label, message in form.ignored],
            "models": [model_summary(m).model_dump() for m in models],
        }
        body["count"] = len(body["models"])
        response = JsonResponse(body, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="llmref-models.{fmt}"'
    return response


CHANGES_PAGE_SIZE = 20


@require_safe
def changes(request: HttpRequest) -> TemplateResponse:
    """The public changelog: applied change sets, newest first."""
    page = Paginator(ChangeSet.objects.applied(), CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    path = reverse("comparisons:changes")
    if page.number > 1:
        path += f"?page={page.number}"
    context = {
        "page": page,
        "changesets": changelog.recent_changesets(page.object_list),
        "meta": _meta(
            request,
            seo.paged("Catalog changes", page.number),
            seo.paged(
                "Every reviewed change to the catalog of models, providers and prices: what changed, from what to "
                "what, when, and the source behind it.",
                page.number,
            ),
            path,
        ),
    }
    return TemplateResponse(request, "comparisons/changes.html", context)


@require_safe
def change_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    found = changelog.applied_changeset(pk, request.GET.get("page"))
    if found is None:
        raise Http404("No such applied change set.")
    changeset, rows = found
    path, applied = changeset.url, changeset.applied_at
    if rows.number > 1:
        path += f"?page={rows.number}"
    context = {
        "changeset": changeset,
        "rows": rows,
        "meta": _meta(
            request,
            seo.clip(seo.paged(seo.changeset_title(changeset.pk, changeset.title), rows.number), seo.TITLE_LIMIT),
            seo.clip(
                seo.paged(f"Change set #{changeset.pk}, applied {applied:%Y-%m-%d}: {changeset.counts}.", rows.number)
            ),
            path,
        ),
    }
    return TemplateResponse(request, "comparisons/change_detail.html", context)

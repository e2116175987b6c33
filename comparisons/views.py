from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from catalog.models import ChangeSet, LanguageModel

from . import calculator, changelog, charts, facts, related, text
from .compare_forms import CostCalculatorForm, PairPickerForm
from .forms import ExplorerForm

NEWEST_ON_HOME = 8
RECENT_CHANGES_ON_HOME = 5


def _meta(request: HttpRequest, title: str, description: str, path: str) -> dict[str, str]:
    """Head data for base.html: title, meta description, canonical URL (also Open Graph)."""
    return {"title": title, "description": description, "canonical": request.build_absolute_uri(path)}


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    context = {
        "picker": PairPickerForm(),
        "popular": related.popular_comparisons(),
        "newest": LanguageModel.objects.with_related().newest_first()[:NEWEST_ON_HOME],
        "recent_changes": ChangeSet.objects.applied()[:RECENT_CHANGES_ON_HOME],
        "meta": _meta(
            request,
            "Large language models compared from sourced facts",
            "Prices, specs, capabilities and benchmarks of large language models side by side, "
            "every fact with its source.",
            reverse("comparisons:home"),
        ),
    }
    return TemplateResponse(request, "comparisons/home.html", context)


@require_GET
def compare_index(request: HttpRequest) -> HttpResponse:
    """The picker; `?a=&b=` redirects to the canonical pair page, bad input re-shows the form (400)."""
    status = 200
    if "a" in request.GET or "b" in request.GET:
        form = PairPickerForm(request.GET)
        if form.is_valid():
            a, b = form.canonical_pair()
            return redirect("comparisons:detail", a=a, b=b)
        status = 400
    else:
        form = PairPickerForm()
    context = {
        "picker": form,
        "popular": related.popular_comparisons(),
        "meta": _meta(
            request,
            "Compare two language models",
            "Pick any two large language models to compare their prices, specs, capabilities and benchmarks.",
            reverse("comparisons:compare-index"),
        ),
    }
    return TemplateResponse(request, "comparisons/compare_index.html", context, status=status)


@require_GET
def compare_detail(request: HttpRequest, a: str, b: str) -> HttpResponse:
    if a > b:
        if not facts.pair_exists(a, b):
            raise Http404("No such comparison.")
        url = reverse("comparisons:detail", kwargs={"a": b, "b": a})
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    pair = facts.pair_facts(a, b)
    if pair is None:
        raise Http404("No such comparison.")
    form = CostCalculatorForm(request.GET)
    workload = form.workload()
    costs, costs_sentence = None, ""
    if workload is not None:
        costs = [(m, calculator.cheapest_cost(m.offerings, workload)) for m in pair.models]
        totals = [cost.total if cost else None for _, cost in costs]
        costs_sentence = text.workload_sentence(pair.a.name, totals[0], pair.b.name, totals[1])
    faq = text.faq(pair)
    path = reverse("comparisons:detail", kwargs={"a": a, "b": b})
    context = {
        "pair": pair,
        "a": pair.a,
        "b": pair.b,
        "summary": text.summary(pair),
        "deep_dive": text.deep_dive(pair),
        "choose_when": text.choose_when_sentences(pair),
        "faq": faq,
        "faq_jsonld": text.faq_jsonld(faq) if faq else None,
        "chart": charts.price_chart(list(pair.models)),
        "calculator_form": form,
        "workload": workload,
        "costs": costs,
        "costs_sentence": costs_sentence,
        "calculator_url": path,
        "related": related.related_comparisons(list(pair.models)),
        "meta": _meta(request, text.title(pair), text.meta_description(pair), path),
    }
    return TemplateResponse(request, "comparisons/compare_detail.html", context)


@require_GET
def model_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    single = facts.model_facts(slug)
    if single is None:
        raise Http404("No such model.")
    model = single.model
    context = {
        "model": model,
        "page": single.page,
        "picker": PairPickerForm(initial={"a": model.slug}),
        "chart": charts.price_chart([model]),
        "price_history": changelog.price_history(slug),
        "related": related.related_comparisons([model], limit=6),
        "meta": _meta(
            request,
            f"{model.name}: price, specs, providers",
            text.model_description(model),
            model.url,
        ),
    }
    return TemplateResponse(request, "comparisons/model_detail.html", context)


@require_GET
def provider_list(request: HttpRequest) -> TemplateResponse:
    context = {
        "providers": facts.provider_summaries(),
        "meta": _meta(
            request,
            "Providers",
            "Every tracked provider of large language models and how many models each serves.",
            reverse("comparisons:provider-list"),
        ),
    }
    return TemplateResponse(request, "comparisons/provider_list.html", context)


@require_GET
def provider_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    provider = facts.provider_facts(slug)
    if provider is None:
        raise Http404("No such provider.")
    context = {
        "provider": provider,
        "meta": _meta(
            request,
            f"{provider.name}: models and prices",
            f"The {text.plural(len(provider.served), 'model')} {provider.name} serves, with input, output, "
            "cached and batch prices per 1M tokens, each with its source.",
            reverse("comparisons:provider-detail", args=[provider.slug]),
        ),
    }
    return TemplateResponse(request, "comparisons/provider_detail.html", context)


EXPLORER_PAGE_SIZE = 50


@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def model_list(request: HttpRequest) -> TemplateResponse:
    """The model explorer. An htmx request gets only the results region; a history restore, the page."""
    form = ExplorerForm(request.GET)
    models = form.apply(LanguageModel.objects.with_related().with_price_summary().with_blended_price())
    page = Paginator(models, EXPLORER_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "comparisons/model_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return TemplateResponse(request, template, {"form": form, "page": page})


CHANGES_PAGE_SIZE = 20


@require_GET
def changes(request: HttpRequest) -> TemplateResponse:
    """The public changelog: applied change sets, newest first."""
    page = Paginator(ChangeSet.objects.applied().with_items(), CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    path = reverse("comparisons:changes")
    if page.number > 1:
        path += f"?page={page.number}"
    context = {
        "page": page,
        "changesets": changelog.changelog_sets(page.object_list),
        "meta": _meta(
            request,
            "Catalog changes",
            "Every reviewed change to the catalog of models, providers and prices: what changed, from what to "
            "what, when, and the source behind it.",
            path,
        ),
    }
    return TemplateResponse(request, "comparisons/changes.html", context)


@require_GET
def change_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    changeset = changelog.applied_changeset(pk)
    if changeset is None:
        raise Http404("No such applied change set.")
    context = {
        "changeset": changeset,
        "meta": _meta(
            request,
            f"Change set #{changeset.pk}: {changeset.title}",
            f"Applied {changeset.applied_at:%Y-%m-%d}: {changeset.counts}.",
            changeset.url,
        ),
    }
    return TemplateResponse(request, "comparisons/change_detail.html", context)

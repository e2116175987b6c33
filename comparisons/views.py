from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from catalog.models import LanguageModel

from .forms import ExplorerForm


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    models = LanguageModel.objects.with_related().order_by("organization__name", "name")
    return TemplateResponse(request, "comparisons/home.html", {"models": models})


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

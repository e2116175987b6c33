from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from catalog.models import LanguageModel


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    models = LanguageModel.objects.with_related().order_by("organization__name", "name")
    return TemplateResponse(request, "comparisons/home.html", {"models": models})

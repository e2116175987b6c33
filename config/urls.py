from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.views.decorators.http import require_safe

from comparisons.sitemaps import SITEMAPS, comparison_sitemap


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe: no database query, tiny body."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    # The pairs section computes its URLs from their positions (comparisons/sitemaps.py).
    path("sitemap-comparisons.xml", comparison_sitemap, name="sitemap-comparisons"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("admin/", admin.site.urls),
    path("", include("comparisons.urls")),
]

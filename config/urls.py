from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from comparisons.api import api
from comparisons.sitemaps import SITEMAPS, comparison_sitemap, model_sitemap, sitemap_index

from . import views

handler500 = "config.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("csp-report/", views.csp_report, name="csp-report"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The index, the models and the pairs are written by comparisons/sitemaps.py (counted, not listed).
    path("sitemap.xml", sitemap_index, name="sitemap-index"),
    path("sitemap-models.xml", model_sitemap, name="sitemap-models"),
    path("sitemap-comparisons.xml", comparison_sitemap, name="sitemap-comparisons"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("comparisons.urls")),
]

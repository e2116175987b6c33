from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/", views.compare_index, name="compare-index"),
    # Model slugs never contain "-vs-" (a database constraint), so the split is unambiguous.
    path("compare/<slug:a>-vs-<slug:b>/", views.compare_detail, name="detail"),
    path("models/<slug:slug>/", views.model_detail, name="model-detail"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider-detail"),
    path("models/", views.model_list, name="model-list"),
]

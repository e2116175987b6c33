from django.urls import path

from . import feeds, views

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
    path("changes/", views.changes, name="changes"),
    path("changes/<int:pk>/", views.change_detail, name="change-detail"),
    path("changes/feed/", feeds.ChangesFeed(), name="changes-feed"),
    path("changes/feed/atom/", feeds.ChangesAtomFeed(), name="changes-feed-atom"),
]

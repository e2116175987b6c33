from django.urls import path, re_path, register_converter

from . import feeds, views

app_name = "comparisons"


class ModelSlugConverter:
    """A model slug: never contains "-vs-" (a database constraint), so a path splits on it unambiguously."""

    regex = r"(?:(?!-vs-)[-a-zA-Z0-9_])+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ModelSlugConverter, "model")

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/", views.compare_index, name="compare-index"),
    path("compare/picker/", views.picker_search, name="picker-search"),
    path("compare/<model:a>-vs-<model:b>/", views.compare_detail, name="detail"),
    path("compare/<model:a>-vs-<model:b>/card.png", views.compare_card, name="detail-card"),
    # Three or more slugs joined by "-vs-"; the view answers 404 beyond four.
    re_path(r"^compare/(?P<slugs>[-a-zA-Z0-9_]+(?:-vs-[-a-zA-Z0-9_]+){2,})/$", views.compare_multi, name="multi"),
    re_path(
        r"^compare/(?P<slugs>[-a-zA-Z0-9_]+(?:-vs-[-a-zA-Z0-9_]+){2,})/card\.png$",
        views.compare_multi_card,
        name="multi-card",
    ),
    path("models/<slug:slug>/", views.model_detail, name="model-detail"),
    # Social preview cards (og:image), one per page that has key figures.
    path("models/<slug:slug>/card.png", views.model_card, name="model-card"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider-detail"),
    path("models/", views.model_list, name="model-list"),
    re_path(r"^models/export\.(?P<fmt>csv|json)$", views.model_export, name="model-export"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:pk>/", views.change_detail, name="change-detail"),
    path("changes/feed/", feeds.ChangesFeed(), name="changes-feed"),
    path("changes/feed/atom/", feeds.ChangesAtomFeed(), name="changes-feed-atom"),
    path("models/<slug:slug>/changes/feed/", feeds.ModelChangesFeed(), name="model-changes-feed"),
    path("models/<slug:slug>/changes/feed/atom/", feeds.ModelChangesAtomFeed(), name="model-changes-feed-atom"),
]

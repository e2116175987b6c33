from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    name = "comparisons"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from catalog.models import catalog_revision_changed

        from . import pagecache

        catalog_revision_changed.connect(pagecache.revision_changed, dispatch_uid="pagecache-revision")

"""Every public page and API answer is read from one catalog revision, and says which (`X-Catalog-Revision`).

An apply changes many rows and bumps the revision in one transaction. A page reads in several queries, so
under PostgreSQL's default READ COMMITTED an apply that commits between two of them could give a page with
old offerings and new prices. This middleware, placed after the replica router, runs the request's reads in
one snapshot of the database they go to (a REPEATABLE READ transaction on PostgreSQL, begun by psycopg in the
same round trip as BEGIN; a transaction on SQLite, whose reads then see one state), reads the revision first
inside it and sends it in the response header. The page cache in front stores and replays that header with
the body, so a cached page and its header always agree.

The database being down surfaces here as the error the view would have raised: `config.views.server_error`
turns it into the page's last good copy or the 503 page, as before. Probes (`/healthz`, `/readyz`), the
admin and non-GET requests are left alone. A streamed response (the explorer's CSV download) is produced
after the snapshot ends, so it carries no revision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.http import HttpRequest, HttpResponse

from .pagecache import REVISION_HEADER, Revision, read_revision

NOT_SNAPSHOTTED = frozenset({"/healthz", "/readyz", "/csp-report/"})


def is_public_read(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith("/admin/")
        and request.path not in NOT_SNAPSHOTTED
    )


@contextmanager
def snapshot(alias: str) -> Iterator[None]:
    """The reads inside see one committed state of database `alias` (already so inside a transaction)."""
    connection = connections[alias]
    if connection.in_atomic_block:  # an outer transaction (a test) already is one unit of reads
        yield
        return
    raw = None
    try:
        with transaction.atomic(using=alias):
            if connection.vendor == "postgresql":
                import psycopg

                raw = connection.connection  # connected by atomic(); no statement sent yet
                previous = raw.isolation_level
                raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            yield
    finally:
        if raw is not None and not raw.closed:
            raw.isolation_level = previous  # back to the connection's own level, for the requests after


class RevisionSnapshotMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public_read(request):
            return self.get_response(request)
        from catalog.models import CatalogRevision

        alias = router.db_for_read(CatalogRevision) or DEFAULT_DB_ALIAS
        with snapshot(alias):
            revision: Revision = read_revision(using=alias)
            # The API's validators (comparisons.api.http.catalog_state) use this reading instead of their own.
            request._catalog_state = (revision.number, revision.updated_at)
            response = self.get_response(request)
        if not response.streaming:
            response[REVISION_HEADER] = str(revision.number)
        return response

"""Primary/replica routing: public page reads go to the read replica (DATABASE_REPLICA_URL), all else to the primary.

The primary serves the admin, the review workflow, management commands, any request that is not a GET/HEAD, every
read after a write in the same request, and, for a few seconds, the requests of a client that just wrote (a cookie
pins it), so nobody reads a replica that has not caught up with their own change yet.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "llmref_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Routing:
    replica_allowed: bool = False
    wrote: bool = False


_routing: ContextVar[Routing | None] = ContextVar("llmref_db_routing", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        routing = _routing.get()
        if routing is not None and routing.replica_allowed and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        routing = _routing.get()
        if routing is not None:
            routing.replica_allowed = False
            routing.wrote = True
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # the replica is a copy of the primary: rows from either relate

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None


def replica_allowed_for(request: HttpRequest) -> bool:
    return (
        replica_configured()
        and request.method in SAFE_METHODS
        and not request.path.startswith("/admin/")
        and PIN_COOKIE not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Decides, per request, whether its reads may use the replica; pins a client that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        routing = Routing(replica_allowed=replica_allowed_for(request))
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if routing.wrote and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

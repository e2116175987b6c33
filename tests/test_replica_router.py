"""Read replica routing, tested with a mirror alias: `replica` shares the primary's test connection (TEST MIRROR)."""

import pytest
from django.conf import settings
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory

from catalog.models import ChangeSet, LanguageModel, Source
from catalog.review.services import changeset_approve
from config import db_router
from config.db_router import PIN_COOKIE, REPLICA, PrimaryReplicaRouter, ReplicaRoutingMiddleware
from tests.auth_support import sign_in
from tests.catalog.workflow_support import create_editor, create_reviewer, submitted_price_change
from tests.factories import create_model, create_source

from .test_deploy import production_setting_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def mirror_replica():
    """A `replica` alias mirroring `default`, as the test runner sets up for DATABASE_REPLICA_URL."""
    settings.DATABASES[REPLICA] = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    connections[REPLICA] = connections["default"]  # one connection, so the test's transaction is visible to both
    yield
    del connections[REPLICA]
    del settings.DATABASES[REPLICA]


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every alias the router chose for a read ("default" when it left the choice to Django)."""
    chosen: list[str] = []
    real = PrimaryReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = real(self, model, **hints)
        chosen.append(alias or "default")
        return alias

    monkeypatch.setattr(PrimaryReplicaRouter, "db_for_read", spy)
    return chosen


def test_public_pages_read_from_the_replica(client, mirror_replica, reads):
    model = create_model(name="Replica Read")
    reads.clear()
    for url in ["/", "/models/", f"/models/{model.slug}/", "/changes/"]:
        assert client.get(url).status_code == 200
    assert reads and set(reads) == {REPLICA}
    assert PIN_COOKIE not in client.cookies


def test_querysets_evaluated_on_a_public_page_name_the_replica(rf, mirror_replica):
    create_model(name="Replica Bound")

    def view(request):
        return HttpResponse(LanguageModel.objects.all().db)

    assert ReplicaRoutingMiddleware(view)(rf.get("/models/")).content == b"replica"


def test_the_admin_reads_from_the_primary(client, mirror_replica, reads):
    reviewer = create_reviewer()
    changeset = submitted_price_change(editor=create_editor())
    sign_in(client, reviewer)
    reads.clear()
    assert client.get(changeset.get_admin_url()).status_code == 200
    assert client.get("/admin/catalog/awaitingreview/").status_code == 200
    assert reads and set(reads) == {"default"}


def test_the_workflow_outside_a_request_uses_the_primary(mirror_replica):
    changeset = submitted_price_change(editor=create_editor())
    assert ChangeSet.objects.all().db == "default"
    assert changeset_approve(changeset=changeset, user=create_reviewer()) is True


def test_reads_after_a_write_in_the_same_request_go_to_the_primary_and_the_client_is_pinned(rf, mirror_replica):
    aliases: list[str] = []

    def view(request):
        aliases.append(Source.objects.all().db)
        create_source()
        aliases.append(Source.objects.all().db)
        return HttpResponse("ok")

    response = ReplicaRoutingMiddleware(view)(rf.get("/models/"))
    assert aliases == [REPLICA, "default"]
    assert response.cookies[PIN_COOKIE]["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS
    assert response.cookies[PIN_COOKIE]["httponly"]


def test_a_pinned_client_and_non_get_requests_read_from_the_primary(mirror_replica):
    factory = RequestFactory()
    pinned = factory.get("/models/")
    pinned.COOKIES[PIN_COOKIE] = "1"
    for request in [pinned, factory.post("/csp-report/"), factory.get("/admin/")]:
        assert not db_router.replica_allowed_for(request)
    assert db_router.replica_allowed_for(factory.get("/models/"))


def test_without_a_replica_everything_uses_the_primary(rf, reads):
    def view(request):
        return HttpResponse(LanguageModel.objects.all().db)

    assert ReplicaRoutingMiddleware(view)(rf.get("/models/")).content == b"default"
    assert set(reads) == {"default"}


def test_the_replica_is_never_migrated():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate("default", "catalog") is None


def test_database_replica_url_configures_a_mirrored_replica_alias():
    values = production_setting_values(
        "DATABASES", DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/llmref"
    )
    replica = values["DATABASES"][REPLICA]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("replica.internal", "reader", "llmref")
    assert replica["TEST"]["MIRROR"] == "default"


def test_readyz_checks_the_replica_too(client, mirror_replica):
    body = client.get("/readyz").json()
    assert body["replica"] == "ok" and body["default"] == "ok"

"""Groups from the data migration and the local demo accounts command."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from catalog.review.services import EDITORS_GROUP, REVIEWERS_GROUP

pytestmark = pytest.mark.django_db


def codenames(group_name: str) -> set[str]:
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_editors_can_propose_but_not_review():
    perms = codenames(EDITORS_GROUP)
    assert {"change_languagemodel", "add_offering", "delete_offering", "add_source", "change_changeset"} <= perms
    assert "review_changeset" not in perms
    assert not any(p.endswith("_provenance") and not p.startswith("view") for p in perms)


def test_reviewers_can_review_but_not_edit_the_catalog():
    perms = codenames(REVIEWERS_GROUP)
    assert {"review_changeset", "view_awaitingreview", "view_offering", "change_changeset"} <= perms
    assert not any(p.startswith(("add_", "delete_")) for p in perms)
    assert "change_offering" not in perms


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("create_demo_accounts")
    assert not User.objects.filter(username="editor").exists()


def test_demo_accounts_are_staff_in_their_groups(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts", "--password", "local-pw")
    call_command("create_demo_accounts", "--password", "local-pw")  # idempotent: resets, never duplicates
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="reviewer")
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    assert list(reviewer.groups.values_list("name", flat=True)) == [REVIEWERS_GROUP]
    assert reviewer.check_password("local-pw")
    assert reviewer.has_perm("catalog.review_changeset") and not editor.has_perm("catalog.review_changeset")
    assert "Log in at http://127.0.0.1:8000/admin/" in capsys.readouterr().out


def test_force_runs_without_debug(settings):
    settings.DEBUG = False
    call_command("create_demo_accounts", "--force")
    assert User.objects.filter(username="reviewer2", groups__name=REVIEWERS_GROUP).exists()

"""Local demo accounts for the review workflow: `editor` proposes, `reviewer` and `reviewer2` approve."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from catalog.review.services import EDITORS_GROUP, REVIEWERS_GROUP

ACCOUNTS = (
    ("editor", EDITORS_GROUP, "proposes catalog changes and submits them"),
    ("reviewer", REVIEWERS_GROUP, "approves or rejects other people's change sets, generates reverts"),
    ("reviewer2", REVIEWERS_GROUP, "a second reviewer, to approve a revert that `reviewer` generated"),
)


class Command(BaseCommand):
    help = "Create (or reset) local demo staff accounts for the editorial review workflow. Debug only."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="llmref-demo", help="Password for every demo account.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never do this on a public site)."
        )

    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with a known password while DEBUG is off. "
                "Set DJANGO_DEBUG=1 for local development, or pass --force if you really mean it."
            )
        User = get_user_model()
        for username, group_name, role in ACCOUNTS:
            group = Group.objects.get(name=group_name)
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
            user.is_staff = True
            user.is_active = True
            user.is_superuser = False
            user.set_password(password)
            user.save()
            user.groups.set([group])
            verb = "Created" if created else "Reset"
            self.stdout.write(f"{verb} {username!r} in {group_name}: {role}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in at http://127.0.0.1:8000/admin/ as editor, reviewer or reviewer2 with password {password!r}."
            )
        )

import pytest

from tests.auth_support import sign_in


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    return sign_in(client, user)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with its verified second factor (superusers need one)."""
    return sign_in(client, admin_user)

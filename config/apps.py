from django.contrib.admin.apps import AdminConfig


class LLMRefAdminConfig(AdminConfig):
    """Django's admin with the site's own AdminSite (second factor for reviewers): config.admin."""

    default_site = "config.admin.LLMRefAdminSite"

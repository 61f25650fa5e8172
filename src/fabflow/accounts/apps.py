"""The accounts app, and Django's admin app with the operators' site."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "fabflow.accounts"
    label = "accounts"
    verbose_name = "Accounts"


class OperatorAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, whose site admits the installation's operators only.

    Installed by its full path in INSTALLED_APPS in place of `django.contrib.admin`.
    """

    default = False
    default_site = "fabflow.accounts.operator_site.OperatorAdminSite"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fabflow.accounts"
    label = "accounts"
    verbose_name = "Accounts"

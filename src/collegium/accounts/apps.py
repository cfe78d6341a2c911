from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "collegium.accounts"
    label = "accounts"
    verbose_name = "Accounts"

"""App configuration of accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pactesur.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from pactesur.accounts import signals  # noqa: F401  (log-in audit receivers)

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "weiyuan.accounts"
    label = "accounts"

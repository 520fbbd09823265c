from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "weiyuan.funds"
    label = "funds"

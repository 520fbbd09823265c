from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "weiyuan.panels"
    label = "panels"

from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "weiyuan.experts"
    label = "experts"

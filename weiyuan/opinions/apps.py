from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "weiyuan.opinions"
    label = "opinions"

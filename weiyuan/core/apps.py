from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "weiyuan.core"
    label = "core"

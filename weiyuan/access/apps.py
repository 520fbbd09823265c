from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "weiyuan.access"
    label = "access"

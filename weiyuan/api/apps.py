from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "weiyuan.api"
    label = "api"

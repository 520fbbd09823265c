from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "weiyuan.clocks"
    label = "clocks"

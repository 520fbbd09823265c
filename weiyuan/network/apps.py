from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "weiyuan.network"
    label = "network"

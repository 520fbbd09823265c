from django.apps import AppConfig


class ExhibitionsConfig(AppConfig):
    name = "weiyuan.exhibitions"
    verbose_name = "展会驻场服务"

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "weiyuan.cases"
    label = "cases"

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "weiyuan.search"
    label = "search"
    verbose_name = "知识库检索"

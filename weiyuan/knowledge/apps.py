from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "weiyuan.knowledge"
    label = "knowledge"

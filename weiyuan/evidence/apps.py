from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "weiyuan.evidence"
    label = "evidence"

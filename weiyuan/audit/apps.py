from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "weiyuan.audit"
    label = "audit"

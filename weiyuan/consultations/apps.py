from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "weiyuan.consultations"
    label = "consultations"

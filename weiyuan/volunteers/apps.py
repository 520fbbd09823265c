from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "weiyuan.volunteers"
    default_auto_field = "django.db.models.BigAutoField"

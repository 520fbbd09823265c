from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "weiyuan.notifications"
    label = "notifications"

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "weiyuan.feedback"
    label = "feedback"

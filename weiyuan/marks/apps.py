from django.apps import AppConfig


class MarksConfig(AppConfig):
    name = "weiyuan.marks"
    label = "marks"
    verbose_name = "商标近似筛查"

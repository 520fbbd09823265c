from django.apps import AppConfig


class EcommerceConfig(AppConfig):
    name = "weiyuan.ecommerce"
    label = "ecommerce"

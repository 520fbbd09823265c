from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "weiyuan.referrals"
    label = "referrals"

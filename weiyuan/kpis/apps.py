from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "weiyuan.kpis"
    label = "kpis"

    def ready(self) -> None:
        from weiyuan.kpis import signals

        signals.connect()

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "weiyuan.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        # Registers the law articles and the published knowledge items as sources of the search index.
        from weiyuan.knowledge import indexing, item_indexing  # noqa: F401

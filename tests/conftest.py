from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.factories import build_network

# Modules whose code takes another path on SQLite (search backends, raw SQL, JSON lookups, upserts, row locks,
# query counts) or that prove what `make run` does on its SQLite default (demo data, laws, health). When PostgreSQL
# is reachable `make test` runs the whole suite there and only these on SQLite as well (`-m both_databases`);
# without PostgreSQL everything runs on SQLite.
BOTH_DATABASES = frozenset(
    {
        "test_api_idempotency",
        "test_audit_chain",
        "test_consultations_lists",
        "test_experts_import",
        "test_experts_matching",
        "test_health_and_deploy",
        "test_kb_search_broad",
        "test_knowledge_items_demo",
        "test_knowledge_items_search_text",
        "test_knowledge_laws",
        "test_kpis_consistency",
        "test_kpis_formulas",
        "test_marks_api",
        "test_marks_groups",
        "test_marks_index",
        "test_marks_page",
        "test_marks_register",
        "test_marks_screening",
        "test_network_directory",
        "test_network_route",
        "test_outbox",
        "test_outbox_claims",
        "test_pagination",
        "test_query_counts",
        "test_search",
        "test_search_quality",
        "test_seed_demo",
        "test_webhooks",
    }
)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in BOTH_DATABASES:
            item.add_marker(pytest.mark.both_databases)


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request in English (LocaleMiddleware) leaves the thread's active
    language behind, which would leak into the next test run by the same worker."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_and_caches(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def network(db: Any) -> dict[str, Any]:
    """A small tree: national -> province -> city centre, plus an unrelated province, with staff at each."""
    return build_network()


@pytest.fixture(autouse=True)
def _search_law_names_fresh() -> None:
    # The search caches the law names in the index for a minute; each test has its own database.
    from weiyuan.search.plan import law_names_forget

    law_names_forget()

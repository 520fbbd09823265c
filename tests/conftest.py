from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.factories import build_network


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

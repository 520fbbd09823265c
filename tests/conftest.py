from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.factories import CentreFactory, staff
from weiyuan.core.choices import Role


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
    national = CentreFactory(
        code="national", name="国家知识产权维权援助指导中心", kind="national_centre", region_id="110000"
    )
    shanghai = CentreFactory(code="sh", name="上海市知识产权维权援助中心", parent=national, region_id="310000")
    pudong = CentreFactory(
        code="sh-pd", name="浦东新区维权援助分中心", parent=shanghai, kind="sub_centre", region_id="310115"
    )
    zhejiang = CentreFactory(code="zj", name="浙江省知识产权维权援助中心", parent=national, region_id="330000")
    return {
        "national": national,
        "shanghai": shanghai,
        "pudong": pudong,
        "zhejiang": zhejiang,
        "sh_intake": staff(shanghai, Role.INTAKE_OFFICER),
        "sh_handler": staff(shanghai, Role.HANDLER),
        "sh_director": staff(shanghai, Role.DIRECTOR),
        "zj_intake": staff(zhejiang, Role.INTAKE_OFFICER),
        "zj_handler": staff(zhejiang, Role.HANDLER),
        "zj_director": staff(zhejiang, Role.DIRECTOR),
        "national_supervisor": staff(national, Role.SUPERVISOR),
        "sh_supervisor": staff(shanghai, Role.SUPERVISOR),
    }


@pytest.fixture(autouse=True)
def _search_law_names_fresh() -> None:
    # The search caches the law names in the index for a minute; each test has its own database.
    from weiyuan.search.plan import law_names_forget

    law_names_forget()

"""The marks API: GET /api/v1/marks/screen and /api/v1/marks/compare, with access rows and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api_support import api_client
from tests.factories import ApplicantFactory, UserFactory, staff
from tests.marks_support import build_register
from weiyuan.access.marks import MarksPermission, marks_decide
from weiyuan.core.choices import Role
from weiyuan.marks.models import Mark

pytestmark = pytest.mark.django_db

SCREEN = "/api/v1/marks/screen"
COMPARE = "/api/v1/marks/compare"


@pytest.fixture
def register(db: Any) -> list[Mark]:
    return build_register(["康师傅", "adidas", "雪碧", "华为", "小米", "Nike"])


def caller(network: dict[str, Any], who: str) -> Any:
    if who == "applicant":
        return ApplicantFactory()
    if who in {r.value for r in Role}:
        return staff(network["zhejiang"], Role(who))
    return network[who]


WHO = [
    "sh_intake",
    "sh_handler",
    "sh_director",
    "zj_handler",
    "national_supervisor",
    Role.EXPERT.value,
    Role.PARTNER.value,
    Role.VOLUNTEER.value,
    Role.EDITOR.value,
    "applicant",
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("path", "query"), [(SCREEN, "?mark=康帅傅"), (COMPARE, "?a=康师傅&b=康帅傅")])
def test_every_signed_in_user_may_screen_and_compare(
    network: dict[str, Any], register: list[Mark], who: str, path: str, query: str
) -> None:
    response = api_client(caller(network, who)).get(path + query)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", [SCREEN + "?mark=康帅傅", COMPARE + "?a=康师傅&b=康帅傅"])
def test_anonymous_callers_are_refused(register: list[Mark], path: str) -> None:
    assert Client().get(path).status_code == 401


def test_the_access_rule_denies_anonymous_and_inactive_users(network: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    for permission in MarksPermission:
        assert not marks_decide(AnonymousUser(), permission)
        assert not marks_decide(UserFactory(is_active=False), permission)
        assert marks_decide(ApplicantFactory(), permission)
        assert marks_decide(network["sh_handler"], permission)


def test_screen_answers_ranked_hits(network: dict[str, Any], register: list[Mark]) -> None:
    applicant: Any = ApplicantFactory()
    response = api_client(applicant).get(SCREEN, {"mark": "康帅傅", "class": ["30", "25"], "limit": "3"})
    data = response.json()
    assert data["classes"] == [25, 30]
    assert len(data["hits"]) <= 3
    top = data["hits"][0]
    assert top["text"] == "康师傅" and top["similar"] is True and top["number"] == "R00000"
    assert top["goods"]["same_class"] is True
    assert top["reasons"][0]["code"] == "glyph" and "帅≈师" in top["reasons"][0]["text"]


def test_screen_in_english(network: dict[str, Any], register: list[Mark]) -> None:
    response = api_client(network["sh_handler"]).get(SCREEN + "?mark=abibas", HTTP_ACCEPT_LANGUAGE="en")
    top = response.json()["hits"][0]
    assert top["text"] == "adidas" and top["goods"] is None


def test_compare(network: dict[str, Any]) -> None:
    data = api_client(network["sh_handler"]).get(COMPARE, {"a": "雪碧", "b": "雷碧"}).json()
    assert data["similar"] is True and 0.5 <= data["score"] <= 1 and data["threshold"] == 0.5
    assert data["normalised"] == ["雪碧", "雷碧"] and data["reasons"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (SCREEN, {}, "mark"),
        (SCREEN, {"mark": "！！！"}, "mark"),
        (SCREEN, {"mark": "康" * 61}, "mark"),
        (SCREEN, {"mark": "康帅傅", "class": "46"}, "class"),
        (SCREEN, {"mark": "康帅傅", "class": "x"}, "class"),
        (SCREEN, {"mark": "康帅傅", "limit": "0"}, "limit"),
        (SCREEN, {"mark": "康帅傅", "limit": "many"}, "limit"),
        (COMPARE, {"b": "康帅傅"}, "a"),
        (COMPARE, {"a": "康帅傅", "b": "。。"}, "b"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    network: dict[str, Any], register: list[Mark], path: str, params: dict[str, str], field: str
) -> None:
    response = api_client(network["sh_handler"]).get(path, params)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert response.json()["detail"][0]["message"]


def test_screen_queries_do_not_grow_with_the_register(
    network: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    build_register(["康师傅", "康帅傅", "康师博", "康氏傅", "康师付", "康帅博", "康仕傅", "康狮傅"])
    client = api_client(network["sh_handler"])
    client.get(SCREEN + "?mark=康帅傅")  # warm caches
    # Token look-up and its last-used update, memberships, then the two screening queries.
    with django_assert_max_num_queries(6):
        response = client.get(SCREEN, {"mark": "康帅傅", "class": "30", "limit": "20"})
    assert len(response.json()["hits"]) >= 2
    with django_assert_max_num_queries(4):
        assert client.get(COMPARE, {"a": "康师傅", "b": "康帅傅"}).status_code == 200

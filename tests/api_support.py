"""Helpers for the API tests: tokens, authenticated clients, request bodies."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from typing import Any

from django.test import Client

from weiyuan.accounts.models import ApiToken, User
from weiyuan.core.choices import ApplicantKind, IPType

_seq = itertools.count(1)


def make_token(user: User, name: str = "test") -> str:
    token = "wy_" + secrets.token_urlsafe(30)
    ApiToken.objects.create(
        user=user, name=name, prefix=token[3:11], token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    return token


def api_client(user: User) -> Client:
    """A test client that sends a fresh API token of the user on every request."""
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


def create_body(centre_code: str = "sh", **overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "centre_code": centre_code,
        "service_type_code": "infringement_opinion",
        "ip_type": IPType.TRADEMARK,
        "title": f"网店销售仿冒商标商品{n}",
        "facts": "被请求人在其网店销售与我方注册商标近似标识的商品，已取得购买公证。",
        "request": "请求出具侵权判定参考意见。",
        "applicant_name": f"上海接口测试科技有限公司{n}",
        "applicant_kind": ApplicantKind.ORGANISATION,
        "applicant_region_code": "310115",
        "respondent_name": f"某某商贸有限公司{n}",
        "rights": [{"ip_type": IPType.TRADEMARK, "number": f"{2000000 + n}", "title": "测试商标"}],
    }
    body.update(overrides)
    return body


def post_json(client: Client, path: str, body: Any = None, **headers: str) -> Any:
    return client.post(path, body if body is not None else {}, content_type="application/json", headers=headers)


def fields_of(response: Any) -> set[str]:
    """The field names of a 422 answer."""
    assert response.status_code == 422, response.content
    return {item["field"] for item in response.json()["detail"]}

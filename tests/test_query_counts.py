"""No N+1 on the lists not covered elsewhere: the number of queries does not grow with the number of rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api_support import api_client
from tests.factories import ApplicantFactory, make_case, pdf_upload
from weiyuan.cases import services


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: a token's first use of the minute records last_used_at
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def grow(case: Any, network: dict[str, Any], applicant: Any, n: int) -> None:
    """Add n messages (each with an attachment) and n staff notes: more timeline, audit and evidence rows."""
    for i in range(n):
        services.case_message_post(case=case, actor=applicant, body=f"补充说明{i}", files=[pdf_upload(f"m{i}.pdf")])
        services.case_message_post(case=case, actor=network["sh_intake"], body=f"回复{i}")
        services.case_message_post(case=case, actor=network["sh_handler"], body=f"备注{i}", internal=True)


@pytest.mark.django_db
def test_case_page_audit_trail_and_api_lists_do_not_grow_with_rows(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    case = make_case(network["shanghai"], applicant)
    case = services.case_accept(case=case, actor=network["sh_intake"])
    case = services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    tn = case.tracking_number
    director = Client()
    director.force_login(network["sh_director"])
    owner = Client()
    owner.force_login(applicant)
    api = api_client(network["sh_director"])
    urls = {
        "staff case page": (director, f"/cases/{tn}/"),
        "applicant case page": (owner, f"/cases/{tn}/"),
        "audit trail": (director, f"/cases/{tn}/audit/"),
        "api detail": (api, f"/api/v1/cases/{tn}"),
        "api messages": (api, f"/api/v1/cases/{tn}/messages"),
        "api evidence": (api, f"/api/v1/cases/{tn}/evidence"),
    }
    grow(case, network, applicant, 2)
    small = {name: queries(client, url) for name, (client, url) in urls.items()}
    grow(case, network, applicant, 6)
    large = {name: queries(client, url) for name, (client, url) in urls.items()}
    assert large == small, {name: (small[name], large[name]) for name in urls if small[name] != large[name]}

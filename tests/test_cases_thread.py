from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ApplicantFactory, make_case
from weiyuan.cases import services
from weiyuan.cases.models import CaseMessage


@pytest.mark.django_db
def test_message_thread_is_paginated_newest_page_first(network):
    applicant = ApplicantFactory()
    case = make_case(network["shanghai"], applicant)
    CaseMessage.objects.bulk_create(
        CaseMessage(case=case, author=applicant, body=f"第{i:02d}条留言") for i in range(35)
    )
    services.case_message_post(case=case, actor=network["sh_intake"], body="内部意见", internal=True)
    client = Client()
    client.force_login(applicant)
    page = client.get(f"/cases/{case.tracking_number}/").content.decode()
    assert "第34条留言" in page and "第05条留言" in page and "第04条留言" not in page
    assert "较早的 5 条" in page
    assert "内部意见" not in page
    older = client.get(f"/cases/{case.tracking_number}/?messages_page=2").content.decode()
    assert "第00条留言" in older and "第34条留言" not in older
    assert "较新的留言" in older

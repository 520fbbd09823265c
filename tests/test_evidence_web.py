"""Evidence downloads: only through the access-checked view, as an attachment, never sniffed, always audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PDF_BYTES, PNG_BYTES, ApplicantFactory, make_case, pdf_upload, png_upload, staff
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services
from weiyuan.cases.models import Case
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile
from weiyuan.evidence.views import content_disposition


@pytest.fixture
def case(network: dict[str, Any]) -> Case:
    return make_case(network["shanghai"], evidence=[pdf_upload("购买公证书 2026.pdf")])


def file_of(case: Case) -> EvidenceFile:
    return EvidenceFile.objects_unscoped.get(case=case, message__isnull=True)


def downloads(evidence: EvidenceFile) -> int:
    return AuditEvent.objects.filter(action="evidence.download", object_id=str(evidence.pk)).count()


@pytest.mark.django_db
def test_applicant_downloads_with_safe_headers_and_an_audit_event(client: Client, case: Case) -> None:
    evidence = file_of(case)
    client.force_login(case.applicant_user)
    response = client.get(reverse("evidence:download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('购买公证书 2026.pdf', safe='')}" in disposition
    assert 'filename="' in disposition and disposition.split('filename="')[1].split('"')[0].isascii()
    assert downloads(evidence) == 1
    event = AuditEvent.objects.get(action="evidence.download", object_id=str(evidence.pk))
    assert (
        event.actor == case.applicant_user and event.case_id == case.pk and event.after == {"sha256": evidence.sha256}
    )


@pytest.mark.django_db
def test_staff_of_the_centre_and_co_handlers_may_download(network: dict[str, Any], client: Client, case: Case) -> None:
    evidence = file_of(case)
    for user in (network["sh_intake"], network["sh_handler"], network["sh_director"]):
        client.force_login(user)
        assert client.get(reverse("evidence:download", args=[evidence.pk])).status_code == 200
    services.case_share_grant(case=case, actor=network["sh_director"], centre=network["zhejiang"], reason="协同")
    client.force_login(network["zj_handler"])
    assert client.get(reverse("evidence:download", args=[evidence.pk])).status_code == 200
    assert downloads(evidence) == 4


@pytest.mark.django_db
def test_unseen_evidence_is_404_and_unpermitted_is_403(network: dict[str, Any], client: Client, case: Case) -> None:
    evidence = file_of(case)
    url = reverse("evidence:download", args=[evidence.pk])
    for outsider in (network["zj_intake"], ApplicantFactory()):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(network["sh_supervisor"])
    response = client.get(url)
    assert response.status_code == 403 and "您的角色不能执行此操作" in response.content.decode()
    volunteer = staff(network["shanghai"], Role.VOLUNTEER)
    services.case_task_assign(
        case=case, actor=network["sh_director"], user=volunteer, kind="volunteer", task="整理证据目录"
    )
    client.force_login(volunteer)
    assert client.get(url).status_code == 403
    assert client.get(reverse("evidence:download", args=[evidence.pk + 1000])).status_code == 404
    assert client.post(url).status_code in (403, 405)
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert downloads(evidence) == 0


@pytest.mark.django_db
def test_message_attachments_are_downloadable_from_the_thread(
    network: dict[str, Any], client: Client, case: Case
) -> None:
    message = services.case_message_post(
        case=case, actor=case.applicant_user, body="补充网店截图。", files=[png_upload("截图.png")]
    )
    attachment = EvidenceFile.objects_unscoped.get(message=message)
    client.force_login(network["sh_intake"])
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    url = reverse("evidence:download", args=[attachment.pk])
    assert url in page and attachment.sha256 in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png"


def test_content_disposition_fallback_and_exact_name() -> None:
    assert content_disposition("report.pdf") == "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    header = content_disposition('证据"一".pdf')
    assert header.startswith('attachment; filename="') and '"一"' not in header.split(";")[1]
    assert "filename*=UTF-8''%E8%AF%81%E6%8D%AE%22%E4%B8%80%22.pdf" in header
    assert content_disposition("../../etc/passwd").endswith("filename*=UTF-8''passwd")

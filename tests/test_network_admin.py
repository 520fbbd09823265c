"""Django admin for the network: centres through the services, regions and filings read-only, holiday overrides."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from weiyuan.audit.models import AuditEvent
from weiyuan.clocks.models import HolidayOverride
from weiyuan.network.models import Centre, Filing


@pytest.fixture
def admin_client(client, network):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "admin:network_centre_changelist",
        "admin:network_region_changelist",
        "admin:network_filing_changelist",
        "admin:clocks_holidayoverride_changelist",
        "admin:network_centre_add",
        "admin:clocks_holidayoverride_add",
    ],
)
def test_admin_pages_render(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_regions_and_filings_are_read_only(admin_client, network):
    assert admin_client.get(reverse("admin:network_region_add")).status_code == 403
    page = admin_client.get(reverse("admin:network_region_change", args=["310115"]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:network_filing_add")).status_code == 403


def centre_form(**overrides):
    data = {
        "code": "sh-new",
        "name": "新设工作站",
        "name_en": "",
        "kind": "workstation",
        "site": "university",
        "parent": "",
        "region": "310115",
        "ip_types": ["trademark"],
        "service_types": ["consultation"],
        "address": "",
        "hours": "",
        "phone": "",
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_creates_a_centre_in_the_tree_through_the_service(admin_client, network):
    response = admin_client.post(reverse("admin:network_centre_add"), centre_form(parent=network["pudong"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    centre = Centre.objects.get(code="sh-new")
    assert centre.path == f"{network['pudong'].path}{centre.pk}/"
    assert centre.depth == network["pudong"].depth + 1
    assert centre.filing_status == "draft"
    assert AuditEvent.objects.filter(action="centre.create", object_id=str(centre.pk)).exists()


@pytest.mark.django_db
def test_admin_refuses_a_centre_without_parent(admin_client):
    response = admin_client.post(reverse("admin:network_centre_add"), centre_form())
    assert response.status_code == 200
    assert "每个机构都须有上级机构" in response.content.decode()
    assert not Centre.objects.filter(code="sh-new").exists()


@pytest.mark.django_db
def test_admin_edits_the_profile_but_not_the_tree_position(admin_client, network):
    pudong = network["pudong"]
    url = reverse("admin:network_centre_change", args=[pudong.pk])
    data = centre_form(
        code="hacked", parent=network["zhejiang"].pk, name="浦东新区分中心（更名）", kind="sub_centre", site=""
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    pudong.refresh_from_db()
    assert pudong.name == "浦东新区分中心（更名）"
    assert pudong.code == "sh-pd" and pudong.parent_id == network["shanghai"].pk  # read-only on change
    event = AuditEvent.objects.get(action="centre.update", object_id=str(pudong.pk))
    assert event.before["name"] == "浦东新区维权援助分中心"


@pytest.mark.django_db
def test_admin_manages_holiday_overrides(admin_client):
    response = admin_client.post(
        reverse("admin:clocks_holidayoverride_add"), {"date": "2027-02-08", "is_working_day": "", "name": "春节"}
    )
    assert response.status_code == 302
    assert HolidayOverride.objects.get(date="2027-02-08").is_working_day is False


@pytest.mark.django_db
def test_filing_rows_visible_in_admin(admin_client, network):
    Filing.objects.create(centre=network["pudong"], status="submitted", statement="备案说明")
    assert "浦东新区维权援助分中心" in admin_client.get(reverse("admin:network_filing_changelist")).content.decode()

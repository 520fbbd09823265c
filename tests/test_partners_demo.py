"""The demo organisations (weiyuan/partners/demo.py): made through the services by the keeping centres' directors,
the demo partner account acting for the court's centre, agreements current and expired, no webhook endpoints, and
idempotent. The whole demo runs in tests/test_seed_demo.py; this builds only the centres and accounts it needs."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.factories import CentreFactory, UserFactory, staff
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.core.choices import Role
from weiyuan.core.validators import validate_credit_code
from weiyuan.partners.demo import DEMO_ORGANISATIONS, DEMO_PARTNER_EMAIL, partners_demo_seed
from weiyuan.partners.models import Organisation, OrganisationKind
from weiyuan.partners.selectors import acting_organisation, agreement_status
from weiyuan.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(db: Any) -> Any:
    for spec in DEMO_ORGANISATIONS:
        if not Membership.objects.filter(user__email=spec.director).exists():
            centre = CentreFactory(code=spec.keeper, region_id=spec.region[:2] + "0000")
            staff(centre, Role.DIRECTOR, email=spec.director)
    partner = UserFactory(email=DEMO_PARTNER_EMAIL)
    Membership.objects.create(user=partner, centre=None, role=Role.PARTNER, organisation="上海市浦东新区人民法院")
    return partner


def test_demo_organisations(demo_world: Any) -> None:
    line = partners_demo_seed(log=lambda _line: None)
    assert line == "Cooperating organisations: 5 demo organisations added, 0 already present."
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {OrganisationKind.COURT, OrganisationKind.ENFORCEMENT, OrganisationKind.ECOMMERCE_PLATFORM} <= kinds
    assert {OrganisationKind.MEDIATION, OrganisationKind.ARBITRATION} <= kinds
    for org in Organisation.objects.all():
        validate_credit_code(org.credit_code)
        assert org.agreements.exists()
        assert AuditEvent.objects.filter(action="partner.create", object_id=str(org.pk)).exists()
    court = acting_organisation(demo_world)
    assert court is not None and court.name == "上海市浦东新区人民法院诉调对接中心"
    today = timezone.localdate()
    statuses = {agreement_status(a, today) for o in Organisation.objects.all() for a in o.agreements.all()}
    assert {"current", "expired"} <= statuses
    assert not WebhookEndpoint.objects.exists()
    again = partners_demo_seed(log=lambda _line: None)
    assert again == "Cooperating organisations: 0 demo organisations added, 5 already present."
    assert Organisation.objects.count() == 5

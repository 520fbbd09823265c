"""The demo's network and people: centres filed with their parent level, staff for every role, applicants, agents,
experts, partners and volunteers, and two-factor devices for directors and the admin. A mixin of `DemoSeeder`
(weiyuan/core/demo.py), which owns the state it uses."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.utils import timezone

from weiyuan.core.choices import ApplicantKind, Role
from weiyuan.core.demo_content import (
    AGENT_PRINCIPAL,
    AGENT_PRINCIPAL_REGION,
    APPLICANTS,
    CENTRES,
    CHINA_TZ,
    DEMO_EMAIL_SUFFIX,
    DEMO_MARKER_CENTRE,
    DEMO_PASSWORD,
    OFFICE_CLOSE,
    OFFICE_OPEN,
    OTHER_ACCOUNTS,
    RETURN_REASON,
    ROLE_EMAIL,
    demo_credit_code,
    demo_digits,
    demo_id_number,
    demo_totp_key,
    pdf_file,
)


@contextmanager
def simulated_now(moment: dt.datetime) -> Iterator[None]:
    """Make `timezone.now()` (used by every service, auto_now fields and the audit chain) return `moment`."""
    utc = moment.astimezone(dt.UTC)
    with mock.patch.object(timezone, "now", lambda: utc):
        yield


def director_or_admin_q() -> Any:
    from django.db.models import Q

    return Q(is_superuser=True) | Q(memberships__role=Role.DIRECTOR, memberships__active=True)


class DemoNetworkSeeding:
    """Office-hours time steps, the network and the accounts; `DemoSeeder.__init__` sets the attributes declared
    here."""

    log: Callable[[str], None]
    rng: random.Random
    calendar: Any
    setup_at: dt.datetime
    password_hash: str
    centres: dict[str, Any]
    staff: dict[str, dict[str, list[Any]]]
    users: dict[str, Any]
    applicants: list[Any]
    name_pool: Iterator[Any]

    # -- time --------------------------------------------------------------------------------------------------

    def _office_time(self, moment: dt.datetime) -> dt.datetime:
        """The same moment if it falls in office hours on a working day, else the next opening plus a little."""
        local = moment.astimezone(CHINA_TZ)
        day = local.date()
        working = self.calendar.is_working_day
        if working(day) and OFFICE_OPEN <= local.time() <= OFFICE_CLOSE:
            return local
        if not working(day) or local.time() > OFFICE_CLOSE:
            day += dt.timedelta(days=1)
            while not working(day):
                day += dt.timedelta(days=1)
        minutes = self.rng.randint(5, 150)
        return dt.datetime.combine(day, OFFICE_OPEN, tzinfo=CHINA_TZ) + dt.timedelta(minutes=minutes)

    def _later(self, moment: dt.datetime, days: float, *, office: bool = True) -> dt.datetime:
        nxt = moment + dt.timedelta(days=days, minutes=self.rng.randint(3, 90))
        if office:
            return self._office_time(nxt)
        local = nxt.astimezone(CHINA_TZ)
        if not 8 <= local.hour <= 22:
            nxt = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(8), tzinfo=CHINA_TZ)
            nxt += dt.timedelta(minutes=self.rng.randint(0, 600))
        return nxt

    # -- accounts ----------------------------------------------------------------------------------------------

    def _user(self, *, email: str, display_name: str, **fields: Any) -> Any:
        from weiyuan.accounts.models import User, lookup_digest

        phone = fields.pop("phone", "")
        user = User(
            username=email.replace("@", ".")[:150],
            email=email,
            email_verified=True,
            display_name=display_name,
            password=self.password_hash,
            date_joined=self.setup_at,
            phone=phone or None,
            phone_digest=lookup_digest(phone) if phone else None,
            **fields,
        )
        user.save()
        self.users[email] = user
        return user

    def _member(self, user: Any, role: str, centre: Any = None, organisation: str = "") -> None:
        from weiyuan.accounts.models import Membership

        Membership.objects.create(user=user, centre=centre, role=role, organisation=organisation)

    # -- the network -------------------------------------------------------------------------------------------

    def build_network(self) -> None:
        from weiyuan.network.models import Region
        from weiyuan.network.services import centre_create, filing_transition

        admin = self._user(email="admin@weiyuan.demo", display_name="平台管理员", is_staff=True, is_superuser=True)
        supervisor = None
        with simulated_now(self.setup_at):
            for spec in CENTRES:
                parent = self.centres.get(spec.parent) if spec.parent else None
                centre = centre_create(
                    actor=admin,
                    code=spec.code,
                    name=spec.name,
                    kind=spec.kind,
                    region=Region.objects.get(code=spec.region),
                    parent=parent,
                    name_en=spec.name_en,
                    site=spec.site,
                    address=spec.address,
                    hours=spec.hours,
                    phone=spec.phone,
                    description=spec.description,
                    ip_types=list(spec.ip_types),
                    service_types=list(spec.service_types),
                )
                self.centres[spec.code] = centre
                roles = self.staff.setdefault(spec.code, {})
                director = self._user(
                    email=f"director@{spec.short}{DEMO_EMAIL_SUFFIX}", display_name=next(self.name_pool)
                )
                self._member(director, Role.DIRECTOR, centre)
                roles[Role.DIRECTOR] = [director]
                counts: Counter[str] = Counter()
                for role in spec.staff:
                    counts[role] += 1
                    n = counts[role]
                    local = ROLE_EMAIL[role] + (str(n) if n > 1 else "")
                    user = self._user(
                        email=f"{local}@{spec.short}{DEMO_EMAIL_SUFFIX}", display_name=next(self.name_pool)
                    )
                    self._member(user, role, centre)
                    roles.setdefault(role, []).append(user)
                if spec.code == DEMO_MARKER_CENTRE:
                    supervisor = self._user(email="supervisor@national.demo", display_name=next(self.name_pool))
                    self._member(supervisor, Role.SUPERVISOR, centre)
        # Filing: each centre's director submits; the parent's director (the platform admin for the root) decides.
        moment = self.setup_at
        for spec in CENTRES:
            centre = self.centres[spec.code]
            director = self.staff[spec.code][Role.DIRECTOR][0]
            decider = self.staff[spec.parent][Role.DIRECTOR][0] if spec.parent else admin
            moment = self._later(moment, 0.4)
            with simulated_now(moment):
                filing_transition(
                    actor=director,
                    centre=centre,
                    action="submit",
                    text=f"{spec.name}申请备案：机构设置、人员和场地情况见附件，服务范围为{len(spec.service_types)}类服务。",
                )
            if spec.filing == "submitted":
                continue
            moment = self._later(moment, 1.5)
            with simulated_now(moment):
                if spec.filing == "returned":
                    filing_transition(actor=decider, centre=centre, action="return", text=RETURN_REASON)
                else:
                    filing_transition(actor=decider, centre=centre, action="approve", text="材料齐全，准予备案。")
            centre.refresh_from_db()
        self.admin = admin
        self.supervisor = supervisor

    def build_people(self) -> None:
        from weiyuan.accounts.models import User
        from weiyuan.accounts.services import RegistrationInput, user_register

        for key, role, name, organisation, centre_code in OTHER_ACCOUNTS:
            user = self._user(email=f"{key}@weiyuan.demo", display_name=name)
            self._member(user, role, self.centres.get(centre_code) if centre_code else None, organisation)
        self.expert = self.users["expert@weiyuan.demo"]
        self.partner = self.users["partner@weiyuan.demo"]
        self.volunteer = self.users["volunteer@weiyuan.demo"]
        self.applicants: list[Any] = []
        for n, spec in enumerate(APPLICANTS):
            data = RegistrationInput(
                kind=spec.kind,
                display_name=spec.name,
                password=DEMO_PASSWORD,
                region_code=spec.region,
                email=f"{spec.key}@weiyuan.demo",
                phone=f"139{spec.region[:2]}{n:02d}{demo_digits(spec.key, 4)}",
                organisation_name=spec.name if spec.kind == ApplicantKind.ORGANISATION else spec.organisation,
                credit_code=demo_credit_code(spec.key, spec.region) if spec.kind == ApplicantKind.ORGANISATION else "",
                id_number=(
                    demo_id_number(spec.region, f"19{80 + n:02d}0{1 + n % 9}1{n % 9}", f"{n + 31:03d}")
                    if spec.kind == ApplicantKind.PERSON
                    else ""
                ),
                priority_group=spec.priority,
                principal_name=AGENT_PRINCIPAL if spec.kind == ApplicantKind.AGENT else "",
                principal_credit_code=(
                    demo_credit_code("minghui", AGENT_PRINCIPAL_REGION) if spec.kind == ApplicantKind.AGENT else ""
                ),
            )
            poa = None
            if spec.kind == ApplicantKind.AGENT:
                poa = pdf_file("授权委托书.pdf", "Power of attorney: Ningbo Haishu Minghui Stationery Co., Ltd.")
            with simulated_now(self._later(self.setup_at, 15 + 3 * n, office=False)):
                user = user_register(data=data, power_of_attorney=poa)
            # Demo accounts are verified and share one password hash (so demo_logins checks it once).
            User.objects.filter(pk=user.pk).update(
                email_verified=True, password=self.password_hash, date_joined=self._later(self.setup_at, 15 + 3 * n)
            )
            user.refresh_from_db()
            self.users[user.email or ""] = user
            self.applicants.append(user)

    def add_totp_devices(self) -> int:
        """Directors and the admin must use two-factor login; give each a device with a fixed demo key."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from weiyuan.accounts.models import User

        try:
            from weiyuan.accounts.services import totp_device_create
        except ImportError:
            self.log("warning: weiyuan.accounts.services.totp_device_create is missing; no TOTP devices created")
            return 0
        made = 0
        for user in User.objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).filter(director_or_admin_q()).distinct():
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                totp_device_create(user=user, key_hex=demo_totp_key(user.email or ""), confirmed=True)
                made += 1
        return made

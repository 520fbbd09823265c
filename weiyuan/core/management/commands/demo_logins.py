"""Print the demo accounts (role, centre, login, password) from the database, and how to get a TOTP code."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.db.models import Prefetch
from django.utils.translation import gettext

from weiyuan.access.policy import STAFF_ROLES
from weiyuan.accounts.models import Membership, User
from weiyuan.core.choices import ApplicantKind, Role
from weiyuan.core.demo import demo_present
from weiyuan.core.demo_content import DEMO_EMAIL_SUFFIX, DEMO_PASSWORD

ROLE_ORDER: dict[str, int] = {
    Role.SUPERVISOR: 1,
    Role.DIRECTOR: 2,
    Role.INTAKE_OFFICER: 3,
    Role.HANDLER: 4,
    Role.EXPERT: 5,
    Role.PARTNER: 6,
    Role.VOLUNTEER: 7,
}


class Command(BaseCommand):
    help = "Print the demo logins created by seed_demo (read from the database)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if not demo_present():
            self.stdout.write("No demo data in this database: run `manage.py seed_demo` first.")
            return
        rows = self.account_rows()
        if not rows:
            self.stdout.write("The demo network is present but has no demo accounts (*.demo).")
            return
        widths = [max(_width(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
        self.stdout.write("weiyuan demo accounts")
        for row in [HEADER, *rows]:
            self.stdout.write("  " + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if any(r[4] == "TOTP" for r in rows):
            totp_logins = [r[2] for r in rows if r[4] == "TOTP"]
            example = "director@sh.demo" if "director@sh.demo" in totp_logins else totp_logins[0]
            self.stdout.write(
                "\nAccounts marked TOTP are asked for a 6-digit code after the password. Print the current code with:\n"
                f"  .venv/bin/python manage.py totp_code {example}"
            )
        if any(r[2] == "?" for r in rows):
            self.stdout.write("\n'?' : the password was changed since the demo was loaded.")

    def account_rows(self) -> list[tuple[str, str, str, str, str]]:
        users = list(
            User.objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).prefetch_related(
                Prefetch("memberships", queryset=Membership.objects.filter(active=True).select_related("centre")),
                "authorisations",
            )
        )
        totp_users = _confirmed_totp_user_ids([u.pk for u in users])
        # One password check per distinct hash: the demo accounts share one, so this stays fast with Argon2.
        verified: dict[str, bool] = {}
        rows = []
        for user in users:
            if user.password not in verified:
                verified[user.password] = check_password(DEMO_PASSWORD, user.password)
            group, role_label, centre = _role_of(user)
            order = (group, centre.path if centre else "", ROLE_ORDER.get(_main_role(user), 9), _readme_first(user))
            cells = (
                role_label,
                centre.name if centre else ("-" if group == 0 else _organisation(user)),
                user.email or "",
                DEMO_PASSWORD if verified[user.password] else "?",
                "TOTP" if user.pk in totp_users else "",
            )
            rows.append((order, cells))
        rows.sort(key=lambda r: r[0])
        return [cells for _order, cells in rows]


HEADER = ("role", "centre / organisation", "login", "password", "2FA")


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _main_role(user: User) -> str:
    roles = sorted((m.role for m in user.memberships.all()), key=lambda r: ROLE_ORDER.get(r, 9))
    return roles[0] if roles else ""


def _readme_first(user: User) -> tuple[int, str]:
    email = user.email or ""
    for n, key in enumerate(("company@", "person@", "agent@")):
        if email.startswith(key):
            return n, email
    return 9, email


def _role_of(user: User) -> tuple[int, str, Any]:
    """(group, label, centre): admin, supervisors, centre staff, outside roles, applicants."""
    if user.is_superuser:
        return 0, gettext("平台管理员"), None
    memberships = sorted(user.memberships.all(), key=lambda m: ROLE_ORDER.get(m.role, 9))
    if memberships:
        m = memberships[0]
        group = 1 if m.role == Role.SUPERVISOR else 2 if m.role in STAFF_ROLES else 3
        return group, str(Role(m.role).label), m.centre if m.role in (*STAFF_ROLES, Role.SUPERVISOR) else None
    if user.applicant_kind:
        return 4, gettext("申请人（%(kind)s）") % {"kind": ApplicantKind(user.applicant_kind).label}, None
    return 5, "-", None


def _organisation(user: User) -> str:
    if user.applicant_kind == ApplicantKind.AGENT:
        principals = "、".join(a.principal_name for a in user.authorisations.all())
        return f"{user.display_name}（受{principals}委托）" if principals else user.display_name
    m = next(iter(user.memberships.all()), None)
    if m is not None and m.organisation:
        return m.organisation
    return user.organisation_name or user.display_name


def _confirmed_totp_user_ids(user_ids: list[int]) -> set[int]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return set(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))

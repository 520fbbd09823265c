"""Writes for accounts: registration, e-mail verification, sessions, language, passwords, TOTP devices, API tokens.

Every function runs in one transaction and records an audit event. Personal data never goes into the audit trail in
clear: passwords are left out entirely; phone, ID number and e-mail are masked.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import BaseUserManager
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from weiyuan.accounts.models import AgentAuthorisation, ApiToken, User, lookup_digest
from weiyuan.accounts.otp import TOTP_DIGITS, TOTP_STEP, code_for_key, confirmed_device, two_factor_required
from weiyuan.accounts.selectors import API_TOKEN_PREFIX, api_token_hash
from weiyuan.audit.services import audit_record
from weiyuan.core.choices import ApplicantKind
from weiyuan.core.validators import mask_middle, validate_credit_code, validate_id_number
from weiyuan.evidence.models import EvidenceKind
from weiyuan.evidence.services import evidence_store
from weiyuan.network.models import Region
from weiyuan.notifications.services import Notice, outbox_enqueue

EMAIL_VERIFY_SALT = "weiyuan.accounts.verify-email"
# How long an e-mail verification link stays valid; override with ACCOUNTS_EMAIL_VERIFY_MAX_AGE (seconds).
EMAIL_VERIFY_MAX_AGE_DEFAULT = 3 * 24 * 60 * 60
MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def email_verify_max_age() -> int:
    return int(getattr(settings, "ACCOUNTS_EMAIL_VERIFY_MAX_AGE", EMAIL_VERIFY_MAX_AGE_DEFAULT))


def normalise_phone(value: str) -> str:
    """Mobile number as 11 digits: spaces and dashes dropped, a +86 / 86 / 0086 country prefix removed."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.fullmatch(value))


def mask_email(email: str | None) -> str:
    """a***@example.cn: enough to recognise one's own address, not enough to harvest it."""
    if not email:
        return ""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_middle(email, 1, 1)


def new_username() -> str:
    """Internal handle; people log in with e-mail or phone and never see it."""
    return "u" + secrets.token_hex(8)


@dataclass(frozen=True)
class RegistrationInput:
    kind: str
    display_name: str
    password: str
    region_code: str
    email: str = ""
    phone: str = ""
    organisation_name: str = ""
    credit_code: str = ""
    id_number: str = ""
    priority_group: str = ""
    principal_name: str = ""
    principal_credit_code: str = ""
    preferred_language: str = "zh-hans"


def phone_unavailable_message() -> str:
    """For a phone number that already has an account: worded so that it does not say so outright."""
    return _("手机号：该号码无法用于注册，请使用其他号码，或用该号码直接登录。")


def email_taken(email: str) -> bool:
    return bool(email) and User.objects.filter(email__iexact=email.strip()).exists()


def registration_problems(data: RegistrationInput, *, check_email_taken: bool = True) -> dict[str, list[str]]:
    """Every rule the registration must satisfy, as {field: [messages]} (empty when all hold).

    The public form passes `check_email_taken=False`: an address that already has an account is not reported to
    whoever typed it (see `user_self_register`). A taken phone number is reported, in words that do not say why,
    since a phone-only applicant has no other channel to be told through.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.kind not in ApplicantKind.values:
        add("kind", _("申请人类型：请选择自然人、法人或其他组织、代理人之一。"))
    if not data.display_name.strip():
        add("display_name", _("姓名或名称：请填写。"))
    if not data.email and not data.phone:
        add("email", _("请至少填写电子邮箱或手机号之一，用于登录和接收通知。"))
    if check_email_taken and email_taken(data.email):
        add("email", _("该邮箱已注册，请直接登录或使用其他邮箱。"))
    if data.phone:
        if not is_mobile(data.phone):
            add("phone", _("手机号：请填写 11 位手机号码。"))
        elif User.objects.filter(phone_digest=lookup_digest(data.phone)).exists():
            add("phone", phone_unavailable_message())
    if not re.fullmatch(r"\d{6}", data.region_code or ""):
        add("region", _("所在地区：请填写 6 位行政区划代码，例如 310115（上海市浦东新区）。"))
    elif not Region.objects.filter(code=data.region_code).exists():
        add(
            "region",
            _("所在地区：找不到行政区划代码 %(code)s，请核对后填写 6 位代码，例如 310115（上海市浦东新区）。")
            % {"code": data.region_code},
        )
    checks: list[tuple[str, str, Any]] = [("credit_code", data.credit_code, validate_credit_code)]
    checks.append(("principal_credit_code", data.principal_credit_code, validate_credit_code))
    checks.append(("id_number", data.id_number, validate_id_number))
    for field, value, validator in checks:
        if value:
            try:
                validator(value)
            except ValidationError as exc:
                for message in exc.messages:
                    add(field, message)
    if data.kind == ApplicantKind.ORGANISATION:
        if not data.organisation_name.strip():
            add("organisation_name", _("单位名称：法人或其他组织注册时请填写单位全称。"))
        if not data.credit_code:
            add("credit_code", _("统一社会信用代码：法人或其他组织注册时请填写 18 位代码。"))
    if data.kind == ApplicantKind.AGENT and not data.principal_name.strip():
        add("principal_name", _("委托人：代理人注册时请填写委托人名称。"))
    return errors


class _AddressTaken(Exception):
    """The insert of a new account hit the unique e-mail constraint: someone registered the address meanwhile."""


@dataclass(frozen=True)
class RegistrationOutcome:
    """What the public registration did. `user` is None when the e-mail address already had an account: nothing
    was created and that account's holder was written to instead. `email` is the normalised address ("" if none)."""

    user: User | None
    email: str


def _normalised(data: RegistrationInput) -> RegistrationInput:
    email = BaseUserManager.normalize_email(data.email.strip()) if data.email.strip() else ""
    phone = normalise_phone(data.phone) if data.phone.strip() else ""
    return RegistrationInput(
        **{
            **data.__dict__,
            "email": email,
            "phone": phone,
            "credit_code": data.credit_code.strip().upper(),
            "principal_credit_code": data.principal_credit_code.strip().upper(),
            "id_number": data.id_number.strip().upper(),
        }
    )


def _problems(
    data: RegistrationInput, power_of_attorney: UploadedFile | None, *, check_email_taken: bool
) -> dict[str, list[str]]:
    errors = registration_problems(data, check_email_taken=check_email_taken)
    if data.kind == ApplicantKind.AGENT and power_of_attorney is None:
        errors.setdefault("power_of_attorney", []).append(_("授权委托书：代理人注册时请上传委托人签署的授权委托书。"))
    return errors


@transaction.atomic
def user_register(*, data: RegistrationInput, power_of_attorney: UploadedFile | None = None) -> User:
    """Create an applicant account (and, for an agent, its authorisation with the uploaded power of attorney).

    Raises ValidationError({field: [...]}) and writes nothing when any rule fails, including an e-mail address that
    already has an account: for seeders and staff tools. The public form uses `user_self_register`, which does not
    tell the person registering whether an address is taken. Mails a verification link through the outbox when an
    e-mail address was given.
    """
    data = _normalised(data)
    errors = _problems(data, power_of_attorney, check_email_taken=True)
    if errors:
        raise ValidationError(errors)
    try:
        return _create_account(data, power_of_attorney)
    except _AddressTaken:
        raise ValidationError({"email": [_("该邮箱已注册，请直接登录或使用其他邮箱。")]}) from None


@transaction.atomic
def user_self_register(
    *, data: RegistrationInput, power_of_attorney: UploadedFile | None = None
) -> RegistrationOutcome:
    """The public registration form: like `user_register`, but without revealing whether an e-mail address has an
    account.

    For a taken address nothing is created and the form is answered exactly as for a new account ("we have sent
    you an e-mail"); the mail that goes out is addressed to the account's holder, who is the only one who can read
    it: a verified address is told that someone tried to register with it (and that they can simply log in), an
    address never verified gets a fresh verification link for the existing account, as the resend form would send.
    The password typed is hashed either way, so the answer takes as long. Raises ValidationError for every other
    problem, including a phone number that cannot be used (see `registration_problems`).
    """
    data = _normalised(data)
    errors = _problems(data, power_of_attorney, check_email_taken=False)
    if errors:
        raise ValidationError(errors)
    if not email_taken(data.email):
        try:
            return RegistrationOutcome(user=_create_account(data, power_of_attorney), email=data.email)
        except _AddressTaken:
            pass  # registered by someone else between our check and the insert
    make_password(data.password)  # the same work as creating the account
    _tell_existing_holder(data)
    return RegistrationOutcome(user=None, email=data.email)


def _tell_existing_holder(data: RegistrationInput) -> None:
    holder = User.objects.filter(email__iexact=data.email, is_active=True).first()
    if holder is None:  # deactivated account: nobody to tell, and nothing to reveal either
        return
    if holder.email_verified:
        with translation.override(holder.preferred_language or settings.LANGUAGE_CODE):
            notice = Notice(
                kind="account.registration_attempt",
                subject=_("维援：有人尝试用您的邮箱注册"),
                body=_(
                    "%(name)s，您好：\n\n有人刚刚在维援用您的电子邮箱 %(email)s 申请注册新账号。该邮箱已有账号，"
                    "因此没有创建新账号，您的账号和资料不受影响。\n\n如果是您本人，请直接用该邮箱和密码登录；"
                    "忘记密码请拨打全国知识产权维权援助热线 12330。如果不是您本人，请忽略本邮件。"
                )
                % {"name": holder.display_name, "email": mask_email(holder.email)},
                url=reverse("accounts:login"),
            )
        # At most one such notice per account per hour, however often the form is sent.
        outbox_enqueue(
            recipients=[holder],
            notice=notice,
            dedupe_key=f"account.registration_attempt:{int(time.time() // 3600)}",
        )
    else:
        _enqueue_verification(holder)
    audit_record(
        actor=None,
        action="account.register_existing_email",
        obj=holder,
        after={"email": mask_email(holder.email), "email_verified": holder.email_verified},
    )


def _create_account(data: RegistrationInput, power_of_attorney: UploadedFile | None) -> User:
    """Insert a checked, normalised registration. Raises _AddressTaken if the address was taken meanwhile."""
    email, phone = data.email, data.phone
    is_org = data.kind == ApplicantKind.ORGANISATION
    is_person = data.kind == ApplicantKind.PERSON
    user = User(
        username=new_username(),
        display_name=data.display_name.strip(),
        email=email or None,
        phone=phone or None,
        phone_digest=lookup_digest(phone) if phone else None,
        applicant_kind=data.kind,
        organisation_name=data.organisation_name.strip() if is_org else "",
        credit_code=data.credit_code if is_org else "",
        id_number=(data.id_number or None) if is_person else None,
        region_id=data.region_code,
        priority_group=data.priority_group,
        preferred_language=data.preferred_language,
    )
    user.set_password(data.password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another registration with the same address won the race between our check and the insert.
        if email and email_taken(email):
            raise _AddressTaken from None
        raise ValidationError({"phone": [phone_unavailable_message()]}) from None
    authorisation = None
    if data.kind == ApplicantKind.AGENT and power_of_attorney is not None:
        poa = evidence_store(
            upload=power_of_attorney,
            uploaded_by=user,
            kind=EvidenceKind.POWER_OF_ATTORNEY,
            description=_("授权委托书"),
            field="power_of_attorney",
        )
        authorisation = AgentAuthorisation.objects.create(
            agent=user,
            principal_name=data.principal_name.strip(),
            principal_credit_code=data.principal_credit_code,
            power_of_attorney=poa,
        )
    audit_record(
        actor=user,
        action="account.register",
        obj=user,
        after={
            "kind": user.applicant_kind,
            "display_name": user.display_name,
            "email": mask_email(user.email),
            "phone": mask_middle(phone),
            "id_number": mask_middle(user.id_number or ""),
            "region": user.region_id,
            "organisation_name": user.organisation_name,
            "credit_code": user.credit_code,
            "priority_group": user.priority_group,
            "authorisation": authorisation.pk if authorisation else None,
            # The form cannot be submitted without the personal-information consent box ticked.
            "personal_data_consent": True,
        },
    )
    if user.email:
        _enqueue_verification(user)
    return user


def email_verification_token(user: User) -> str:
    """A signed, time-stamped token naming the user and (by digest) the address it verifies; no address in clear."""
    value = f"{user.pk}.{lookup_digest((user.email or '').lower())[:16]}"
    return signing.TimestampSigner(salt=EMAIL_VERIFY_SALT).sign(value)


class EmailVerificationError(Exception):
    """A verification link that cannot be used: `reason` is "expired" or "invalid"."""

    def __init__(self, reason: str, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


def _user_from_token_value(value: str) -> User | None:
    pk_text, _sep, digest = value.partition(".")
    if not pk_text.isdigit():
        return None
    user = User.objects.filter(pk=int(pk_text), is_active=True).first()
    if user is None or not user.email or lookup_digest(user.email.lower())[:16] != digest:
        return None  # the address changed since the link was sent
    return user


def email_verification_user(token: str, *, allow_expired: bool = False) -> User:
    """The user a verification token belongs to; raises EmailVerificationError."""
    signer = signing.TimestampSigner(salt=EMAIL_VERIFY_SALT)
    try:
        value = signer.unsign(token, max_age=None if allow_expired else email_verify_max_age())
    except signing.SignatureExpired:
        value = signer.unsign(token)
        user = _user_from_token_value(value)
        raise EmailVerificationError("expired", user.pk if user else None) from None
    except signing.BadSignature:
        raise EmailVerificationError("invalid") from None
    user = _user_from_token_value(value)
    if user is None:
        raise EmailVerificationError("invalid")
    return user


def _enqueue_verification(user: User) -> int:
    token = email_verification_token(user)
    hours = email_verify_max_age() // 3600
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        notice = Notice(
            kind="account.verify_email",
            subject=_("维援：请验证您的电子邮箱"),
            body=_(
                "%(name)s，您好：\n\n请打开下面的链接验证您在维援注册的电子邮箱，链接 %(hours)s 小时内有效。"
                "如果不是您本人注册，请忽略本邮件。"
            )
            % {"name": user.display_name, "hours": hours},
            url=reverse("accounts:verify_email", args=[token]),
        )
    # One link per user per minute at most: a resend button pressed repeatedly does not flood the mailbox.
    return outbox_enqueue(
        recipients=[user],
        notice=notice,
        dedupe_key=f"account.verify_email:{int(time.time() // 60)}",
        channels=["email"],
        allow_unverified=True,  # the one mail that must reach an address before it is verified
    )


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Mark the address verified. Raises EmailVerificationError for an expired or tampered link."""
    user = email_verification_user(token)
    if user.email_verified:
        return user
    User.objects.filter(pk=user.pk).update(email_verified=True)
    user.email_verified = True
    audit_record(
        actor=user,
        action="account.email_verified",
        obj=user,
        before={"email_verified": False},
        after={"email_verified": True, "email": mask_email(user.email)},
    )
    return user


@transaction.atomic
def user_resend_verification(*, token: str = "", email: str = "") -> bool:
    """Queue a fresh link for an unverified address, found by an old (even expired) link or by the address.

    Returns True when a mail was queued. Callers show the same answer either way, so the form does not reveal
    which addresses are registered.
    """
    user: User | None = None
    if token:
        try:
            user = email_verification_user(token, allow_expired=True)
        except EmailVerificationError:
            user = None
    if user is None and email:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or user.email_verified or not user.email:
        return False
    queued = _enqueue_verification(user)
    if queued:
        audit_record(
            actor=user, action="account.verification_resent", obj=user, after={"email": mask_email(user.email)}
        )
    return bool(queued)


@transaction.atomic
def user_logout_everywhere(*, user: User) -> int:
    """End every session of the user: SessionGuardMiddleware logs out sessions carrying an older generation.

    Returns the new generation; the caller may store it in the current session to keep that one.
    """
    before = User.objects.filter(pk=user.pk).values_list("session_generation", flat=True).get()
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    audit_record(
        actor=user,
        action="account.logout_everywhere",
        obj=user,
        before={"session_generation": before},
        after={"session_generation": user.session_generation},
    )
    return user.session_generation


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError({"language": [_("界面语言：请从列表中选择。")]})
    before = user.preferred_language
    if before == language:
        return user
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
    audit_record(
        actor=user, action="account.language", obj=user, before={"language": before}, after={"language": language}
    )
    return user


@transaction.atomic
def user_password_change(*, user: User, new_password: str) -> User:
    """Set a new password (already validated by the form). The audit event records that it changed, nothing more."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="account.password_changed", obj=user)
    return user


# --- TOTP two-factor -------------------------------------------------------------------------------------------


@transaction.atomic
def totp_device_create(*, user: User, key_hex: str | None = None, confirmed: bool = True) -> TOTPDevice:
    """Give a user a TOTP device (for seeders and admins). Idempotent for the same key."""
    if key_hex is not None:
        bytes.fromhex(key_hex)  # ValueError for a malformed key, before anything is written
        existing = TOTPDevice.objects.filter(user=user, key=key_hex.lower()).first()
        if existing is not None:
            if confirmed and not existing.confirmed:
                existing.confirmed = True
                existing.save(update_fields=["confirmed"])
            return existing
    device = TOTPDevice.objects.create(
        user=user,
        name=_("身份验证器"),
        key=(key_hex or random_hex(20)).lower(),
        step=TOTP_STEP,
        digits=TOTP_DIGITS,
        confirmed=confirmed,
    )
    audit_record(actor=user, action="account.2fa_device_created", obj=user, after={"confirmed": confirmed})
    return device


def totp_new_key() -> str:
    """A fresh 160-bit secret (hex) for a device being set up."""
    return random_hex(20)


@transaction.atomic
def totp_device_confirm(*, user: User, key_hex: str, code: str) -> TOTPDevice:
    """Bind the authenticator set up with `key_hex` once the user types its current code; replaces older devices."""
    code = (code or "").strip().replace(" ", "")
    if not re.fullmatch(rf"\d{{{TOTP_DIGITS}}}", code):
        raise ValidationError({"code": [_("验证码：请输入身份验证器上显示的 6 位数字。")]})
    now = time.time()
    matched_t = None
    for offset in (0, -1, 1):  # one step of clock drift either way
        if code_for_key(key_hex, at=now + offset * TOTP_STEP) == code:
            matched_t = int(now // TOTP_STEP) + offset
            break
    if matched_t is None:
        raise ValidationError({"code": [_("验证码不正确或已过期，请核对手机时间后输入最新的 6 位数字。")]})
    replaced = TOTPDevice.objects.filter(user=user).delete()[0]
    device = TOTPDevice.objects.create(
        user=user,
        name=_("身份验证器"),
        key=key_hex,
        step=TOTP_STEP,
        digits=TOTP_DIGITS,
        confirmed=True,
        last_t=matched_t,  # the code just used cannot be replayed at the verify step
    )
    audit_record(actor=user, action="account.2fa_enabled", obj=user, after={"replaced_devices": replaced})
    return device


def totp_verify(*, user: User, code: str) -> TOTPDevice | None:
    """Check a code against the user's confirmed device. django-otp throttles repeated failures per device."""
    device = confirmed_device(user)
    code = (code or "").strip().replace(" ", "")
    if device is None or not code.isdigit():
        return None
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return locked if locked.verify_token(code) else None


@transaction.atomic
def totp_device_remove(*, user: User) -> int:
    """Switch two-factor off: only for users who are not required to use it."""
    if two_factor_required(user):
        raise ValidationError(_("负责人和平台管理员必须使用双因素认证，不能关闭。"))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    if removed:
        audit_record(actor=user, action="account.2fa_disabled", obj=user, after={"removed_devices": removed})
    return removed


# --- API tokens ----------------------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; returns the row and the clear token, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("名称：请为令牌起一个便于识别的名称，例如“案件同步脚本”。")]})
    if len(name) > 80:
        raise ValidationError({"name": [_("名称：最多 80 个字符。")]})
    clear = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    # A partner account's token is always scoped to the organisation it acts for (docs/partners.md).
    from weiyuan.partners.selectors import acting_organisation

    organisation = acting_organisation(user)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=clear[len(API_TOKEN_PREFIX) : len(API_TOKEN_PREFIX) + 8],
        token_hash=api_token_hash(clear),
        organisation=organisation,
    )
    audit_record(
        actor=user,
        action="api_token.create",
        obj=token,
        after={"name": name, "prefix": token.prefix, "organisation": organisation.pk if organisation else None},
    )
    return token, clear


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent)."""
    if token.user_id != user.pk:
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    audit_record(
        actor=user,
        action="api_token.revoke",
        obj=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at, "prefix": token.prefix},
    )
    return token

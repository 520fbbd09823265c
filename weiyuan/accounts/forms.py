"""Forms for accounts. Field formats are checked here; business rules (uniqueness, region exists) in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from weiyuan.accounts.models import User
from weiyuan.accounts.services import RegistrationInput, is_mobile, normalise_phone, registration_problems
from weiyuan.core.choices import ApplicantKind, PriorityGroup
from weiyuan.core.validators import validate_credit_code, validate_id_number
from weiyuan.evidence.services import sniff_upload

POA_TYPES = {"application/pdf", "image/jpeg", "image/png"}

# Fields each applicant kind fills in, in display order.
COMMON_FIELDS = ["display_name", "email", "phone", "password1", "password2", "region", "priority_group"]
KIND_FIELDS: dict[str, list[str]] = {
    ApplicantKind.PERSON: ["id_number"],
    ApplicantKind.ORGANISATION: ["organisation_name", "credit_code"],
    ApplicantKind.AGENT: ["principal_name", "principal_credit_code", "power_of_attorney"],
}


def _name_required(form: forms.BaseForm) -> None:
    """'This field is required' says nothing about which field: every required message names it."""
    for field in form.fields.values():
        field.error_messages["required"] = _("请填写%(label)s。") % {"label": field.label}


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, widget=forms.HiddenInput)
    display_name = forms.CharField(
        label=_("姓名"), max_length=120, help_text=_("自然人填写本人姓名；单位或代理人填写联系人姓名。")
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False, help_text=_("用于登录和接收通知，需验证。"))
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("可用于登录。电子邮箱和手机号至少填写一项。"),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，不能全是数字，不能与姓名或邮箱相近。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    region = forms.CharField(
        label=_("所在地区"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}"}),
        help_text=_("6 位行政区划代码，例如 310115（上海市浦东新区）、330100（浙江省杭州市）。"),
    )
    priority_group = forms.ChoiceField(
        label=_("重点服务对象"),
        choices=PriorityGroup.choices,
        required=False,
        help_text=_("中小微企业、民营企业、个体工商户和走出去企业可获优先服务。"),
    )
    id_number = forms.CharField(
        label=_("居民身份证号码"),
        max_length=18,
        required=False,
        validators=[validate_id_number],
        help_text=_("选填。加密保存，仅在需要核实身份时使用，页面上只显示部分号码。"),
    )
    organisation_name = forms.CharField(label=_("单位名称"), max_length=160, help_text=_("与营业执照一致的全称。"))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    principal_name = forms.CharField(label=_("委托人"), max_length=160, help_text=_("委托您办理的个人或单位名称。"))
    principal_credit_code = forms.CharField(
        label=_("委托人统一社会信用代码"),
        max_length=18,
        required=False,
        validators=[validate_credit_code],
        help_text=_("委托人为单位时填写。"),
    )
    power_of_attorney = forms.FileField(
        label=_("授权委托书"), help_text=_("委托人签字或盖章的授权委托书，PDF 或 JPG/PNG 扫描件。")
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意：维援按照《个人信息保护法》处理我填写的个人信息，仅用于提供维权援助服务。")
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applicant_kind = kind if kind in ApplicantKind.values else ApplicantKind.PERSON
        self.fields["kind"].initial = self.applicant_kind
        wanted = {"kind", "consent", *COMMON_FIELDS, *KIND_FIELDS[self.applicant_kind]}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        _name_required(self)
        self.fields["consent"].error_messages["required"] = _("请阅读并勾选同意个人信息处理说明后再注册。")

    def clean_kind(self) -> str:
        if self.cleaned_data["kind"] != self.applicant_kind:
            raise ValidationError(_("申请人类型与所选页签不一致，请重新选择。"))
        return self.applicant_kind

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("phone", ""))
        if phone and not is_mobile(phone):
            raise ValidationError(_("手机号：请填写 11 位手机号码，例如 13812345678。"))
        return phone

    def clean_region(self) -> str:
        return self.cleaned_data["region"].strip()

    def clean_credit_code(self) -> str:
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_principal_credit_code(self) -> str:
        return self.cleaned_data.get("principal_credit_code", "").strip().upper()

    def clean_id_number(self) -> str:
        return self.cleaned_data.get("id_number", "").strip().upper()

    def clean_power_of_attorney(self) -> Any:
        upload = self.cleaned_data["power_of_attorney"]
        try:
            sniffed = sniff_upload(upload, field="power_of_attorney")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        if sniffed.mime not in POA_TYPES:
            raise ValidationError(_("授权委托书：请上传 PDF 文件或 JPG/PNG 扫描件。"))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("确认密码：两次输入的密码不一致，请重新输入。"))
        if p1 and "password1" not in self.errors:
            probe = User(display_name=cleaned.get("display_name", ""), email=cleaned.get("email") or None)
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        # Business rules (region exists, phone free) on fields that passed their format checks, all in one round.
        # A taken e-mail address is not reported here: the service answers it without revealing the account.
        problems = registration_problems(self._input_from(cleaned), check_email_taken=False)
        for field, messages in problems.items():
            target = field if field in self.fields else None
            if target is not None and target in self.errors:
                continue
            for message in messages:
                self.add_error(target, message)
        return cleaned

    def _input_from(self, cleaned: dict[str, Any]) -> RegistrationInput:
        # Fields missing here already carry their own error; clean() skips rule messages for those fields.
        return RegistrationInput(
            kind=self.applicant_kind,
            display_name=cleaned.get("display_name", ""),
            password=cleaned.get("password1", ""),
            region_code=cleaned.get("region", ""),
            email=cleaned.get("email", "") or "",
            phone=cleaned.get("phone", "") or "",
            organisation_name=cleaned.get("organisation_name", ""),
            credit_code=cleaned.get("credit_code", ""),
            id_number=cleaned.get("id_number", ""),
            priority_group=cleaned.get("priority_group", ""),
            principal_name=cleaned.get("principal_name", ""),
            principal_credit_code=cleaned.get("principal_credit_code", ""),
        )

    def to_input(self, *, language: str) -> RegistrationInput:
        data = self._input_from(self.cleaned_data)
        return RegistrationInput(**{**data.__dict__, "preferred_language": language})


class LoginForm(AuthenticationForm):
    """The `username` field takes an e-mail address or a mobile number."""

    username = forms.CharField(
        label=_("邮箱或手机号"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("邮箱或手机号与密码不匹配，请重新输入。密码区分大小写。"),
        "inactive": _("该账号已停用。如有疑问请拨打 12330。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("密码")
        _name_required(self)

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        if "@" in value:
            return value
        phone = normalise_phone(value)
        return phone if is_mobile(phone) else value


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("token") and "email" not in self.errors:
            self.add_error("email", _("电子邮箱：请填写注册时使用的电子邮箱。"))
        return cleaned


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("界面语言"), choices=settings.LANGUAGES)


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]{6,8}", "autofocus": True}
        ),
        help_text=_("身份验证器应用（如 Google Authenticator、Microsoft Authenticator、FreeOTP）上显示的 6 位数字。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_required(self)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=80, help_text=_("便于识别用途，例如“案件同步脚本”。令牌只在创建时显示一次。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_required(self)

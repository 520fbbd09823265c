"""Forms of the case pages. They parse and check input; the services decide and write."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from weiyuan.cases.models import Case, CaseShare, CaseState, Outcome, RejectReason, ServiceType
from weiyuan.cases.selectors import SORTS, case_handler_choices, case_open_shares, case_task_candidates
from weiyuan.cases.services import TRACKING_NUMBER_RE, validate_tracking_number
from weiyuan.core.choices import ApplicantKind, Channel, Industry, IPType, PriorityGroup, Role
from weiyuan.core.validators import validate_credit_code, validate_id_number, validate_phone
from weiyuan.evidence.services import check_upload_count, sniff_upload
from weiyuan.network.models import Centre, FilingStatus, Region

# --- building blocks -----------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """`<input type=file multiple>`: cleans to a list of uploads, each checked by content (magic bytes)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        errors: list[str] = []
        for upload in cleaned:
            try:
                sniff_upload(upload, field="file")
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def check_file(upload: UploadedFile | None) -> UploadedFile | None:
    if upload:
        try:
            sniff_upload(upload, field="file")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
    return upload


def validate_region_code(value: str) -> None:
    if not re.fullmatch(r"\d{6}", value):
        raise ValidationError(_("请填写 6 位数字的行政区划代码，例如 310115（上海市浦东新区）。"), code="format")
    if not Region.objects.filter(code=value).exists():
        raise ValidationError(
            _("行政区划代码「%(code)s」不存在，请核对或从提示列表中选择。"), code="unknown", params={"code": value}
        )


def approved_centres() -> Any:
    return Centre.objects.filter(filing_status=FilingStatus.APPROVED).order_by("path")


class CentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def textarea(rows: int = 5, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


ip_type_choices = [("", _("请选择")), *IPType.choices]

# --- intake ------------------------------------------------------------------------------------------------


class RouteForm(forms.Form):
    """Step 1: what, which kind of right, where — the competent centres are proposed from these."""

    service_type = forms.ModelChoiceField(
        label=_("服务类型"),
        queryset=ServiceType.objects.filter(active=True),
        to_field_name="code",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择列表中的服务类型。"), "required": _("请选择服务类型。")},
    )
    ip_type = forms.ChoiceField(
        label=_("知识产权类型"),
        choices=ip_type_choices,
        error_messages={"invalid_choice": _("请选择列表中的知识产权类型。"), "required": _("请选择知识产权类型。")},
    )
    region = forms.CharField(
        label=_("所在地区（行政区划代码）"),
        max_length=6,
        validators=[validate_region_code],
        help_text=_("6 位代码，例如 310115（上海市浦东新区）；输入地名可查找代码。"),
        error_messages={"required": _("请填写所在地区的 6 位行政区划代码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "list": "region-options"}),
    )


STAFF_CHANNELS = [
    (Channel.HOTLINE, Channel.HOTLINE.label),
    (Channel.WALK_IN, Channel.WALK_IN.label),
    (Channel.EXHIBITION, Channel.EXHIBITION.label),
    (Channel.ECOMMERCE, Channel.ECOMMERCE.label),
]


class IntakeForm(forms.Form):
    """Step 2: the guided application for one service type at one centre."""

    service_type = forms.ModelChoiceField(
        queryset=ServiceType.objects.filter(active=True), to_field_name="code", widget=forms.HiddenInput
    )
    ip_type = forms.ChoiceField(choices=IPType.choices, widget=forms.HiddenInput)
    centre = forms.ModelChoiceField(
        label=_("援助机构"), queryset=approved_centres(), to_field_name="code", widget=forms.HiddenInput
    )

    channel = forms.ChoiceField(label=_("受理渠道"), choices=STAFF_CHANNELS, initial=Channel.HOTLINE)
    applicant_name = forms.CharField(label=_("申请人姓名或名称"), max_length=160)
    applicant_kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices)
    applicant_credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        validators=[validate_credit_code],
        help_text=_("单位申请人填写，18 位。"),
    )
    applicant_id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, required=False, validators=[validate_id_number]
    )
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False, validators=[validate_phone])
    applicant_email = forms.EmailField(label=_("电子邮箱"), required=False)
    applicant_region = forms.CharField(
        label=_("申请人所在地区（行政区划代码）"),
        max_length=6,
        validators=[validate_region_code],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "list": "region-options"}),
    )
    priority_group = forms.ChoiceField(
        label=_("重点服务对象"),
        choices=PriorityGroup.choices,
        required=False,
        help_text=_("中小微企业、民营企业、个体工商户和走出去企业可获优先服务。"),
    )
    industry = forms.ChoiceField(
        label=_("所属行业"),
        choices=[("", _("（不填）")), *Industry.choices],
        required=False,
        help_text=_("按国民经济行业分类的门类填写，用于统计各行业的维权援助需求。"),
    )
    is_major = forms.BooleanField(label=_("重大案件（须由中心负责人审批受理）"), required=False)

    respondent_name = forms.CharField(label=_("被请求人名称"), max_length=160, required=False)
    respondent_credit_code = forms.CharField(
        label=_("被请求人统一社会信用代码"), max_length=18, required=False, validators=[validate_credit_code]
    )
    respondent_address = forms.CharField(
        label=_("被请求人地址或网店链接"),
        max_length=240,
        required=False,
        help_text=_("例如经营地址、展位号或电商店铺名称与链接。"),
    )

    title = forms.CharField(
        label=_("事项"), max_length=160, help_text=_("一句话概括，例如「某网店销售假冒注册商标商品」。")
    )
    facts = forms.CharField(
        label=_("事实与理由"),
        max_length=20000,
        widget=textarea(8),
        help_text=_("发生了什么、何时何地、涉及哪些产品或行为、已采取哪些措施。"),
    )
    request = forms.CharField(
        label=_("请求事项"),
        max_length=5000,
        widget=textarea(4),
        help_text=_("希望援助机构提供什么帮助，例如出具侵权判定参考意见。"),
    )
    evidence = MultipleFileField(
        label=_("证据文件"),
        required=False,
        # Formatted when shown, not at import (that would fix the text in the default language).
        help_text=lazy(
            lambda: (
                _("可多选。PDF、图片、Office 文档、MP4、MP3、ZIP 或 TXT，单个文件不超过 %(mb)s MB。")
                % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
            ),
            str,
        )(),
    )

    def __init__(self, *args: Any, staff_mode: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff_mode = staff_mode
        if not staff_mode:
            # Online applicants apply for themselves; contact data comes from the account.
            for name in ("channel", "applicant_id_number", "applicant_phone", "applicant_email", "is_major"):
                del self.fields[name]
        service_type = self.service_type_value()
        self.needs_respondent = bool(service_type and service_type.needs_respondent)
        self.needs_right = bool(service_type and service_type.needs_right)
        if self.needs_respondent:
            self.fields["respondent_name"].required = True
            self.fields["respondent_name"].error_messages["required"] = _("该服务类型须写明被请求人（侵权方）名称。")

    def service_type_value(self) -> ServiceType | None:
        code = self.data.get("service_type") if self.is_bound else self.initial.get("service_type")
        if isinstance(code, ServiceType):
            return code
        return ServiceType.objects.filter(code=code or "", active=True).first()

    def clean_applicant_credit_code(self) -> str:
        return str(self.cleaned_data["applicant_credit_code"]).strip().upper()

    def clean_respondent_credit_code(self) -> str:
        return str(self.cleaned_data["respondent_credit_code"]).strip().upper()

    def clean_applicant_id_number(self) -> str:
        return str(self.cleaned_data["applicant_id_number"]).strip().upper()

    def clean_evidence(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["evidence"]
        check_upload_count(len(files), field="evidence")
        return files


class RightForm(forms.Form):
    ip_type = forms.ChoiceField(label=_("权利类型"), choices=IPType.choices)
    number = forms.CharField(
        label=_("权利号"),
        max_length=40,
        help_text=_("专利号、商标注册号、登记号等。"),
        error_messages={"required": _("请填写专利号或商标注册号。")},
    )
    title = forms.CharField(label=_("名称"), max_length=160, required=False)
    owner = forms.CharField(label=_("权利人"), max_length=160, required=False)
    legal_status = forms.CharField(
        label=_("法律状态"), max_length=80, required=False, help_text=_("例如有效、续展中。")
    )
    certificate = forms.FileField(label=_("权利证书"), required=False)

    def __init__(self, *args: Any, default_ip_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if default_ip_type:
            self.fields["ip_type"].initial = default_ip_type

    def clean_certificate(self) -> UploadedFile | None:
        return check_file(self.cleaned_data.get("certificate"))


class BaseRightFormSet(forms.BaseFormSet):
    needs_right = False

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.cleaned_data.get("number")]
        if self.needs_right and not filled:
            raise ValidationError(_("该服务类型须至少填写一项权利（专利号、商标注册号等）。"))


MAX_RIGHTS = 5
RightFormSet = forms.formset_factory(
    RightForm,
    formset=BaseRightFormSet,
    extra=MAX_RIGHTS,
    max_num=MAX_RIGHTS,
    validate_max=True,
    absolute_max=MAX_RIGHTS,
)


def right_formset(data: Any = None, files: Any = None, *, default_ip_type: str, needs_right: bool) -> BaseRightFormSet:
    """Up to five rights rows (prefix "rights", so service errors like "rights-0-number" land on their row)."""
    formset = cast(
        BaseRightFormSet,
        RightFormSet(data, files, prefix="rights", form_kwargs={"default_ip_type": default_ip_type}),
    )
    formset.needs_right = needs_right
    return formset


# --- applicant pages ---------------------------------------------------------------------------------------


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("案件编号"),
        max_length=40,
        help_text=_("例如 WY-2026-00012-000345，见提交成功的通知。"),
        error_messages={"required": _("请填写案件编号。")},
    )

    def clean_tracking_number(self) -> str:
        try:
            return validate_tracking_number(self.cleaned_data["tracking_number"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


# --- actions on a case -------------------------------------------------------------------------------------


class CaseActionForm(forms.Form):
    """Every action form knows the case and the acting user (for its choices)."""

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user


class ConfirmForm(CaseActionForm):
    """Actions that need only a click."""


class RequestInfoForm(CaseActionForm):
    request_text = forms.CharField(
        label=_("补正要求"),
        max_length=5000,
        widget=textarea(4),
        help_text=_("写明需要补充的材料和要求；申请人须在 15 日内补正，受理期限暂停计算。"),
    )


class AnswerInfoForm(CaseActionForm):
    answer_text = forms.CharField(label=_("补正说明"), max_length=5000, required=False, widget=textarea(4))
    # A field may be called "files": the form metaclass moves it out of the class namespace.
    files = MultipleFileField(label=_("补正材料"), required=False)  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("answer_text") or "").strip() and not data.get("files"):
            self.add_error("answer_text", _("请填写补正说明或上传补正材料。"))
        return data


class RejectForm(CaseActionForm):
    reason = forms.ChoiceField(label=_("不予受理理由"), choices=[("", _("请选择")), *RejectReason.choices])
    text = forms.CharField(label=_("具体说明"), max_length=5000, widget=textarea(3))
    fix = forms.CharField(
        label=_("补救方式"),
        max_length=5000,
        widget=textarea(3),
        help_text=_("告诉申请人如何补救：补充哪些材料，或向哪个机构、渠道申请。"),
    )
    suggested_centre = CentreChoiceField(
        label=_("建议申请的机构"),
        queryset=Centre.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("（不建议其他机构）"),
    )
    suggested_channel = forms.CharField(
        label=_("建议的其他渠道"),
        max_length=200,
        required=False,
        help_text=_("例如向市场监督管理部门投诉，或向人民法院起诉。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["suggested_centre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = approved_centres().exclude(pk=self.case.centre_id)


class AssignForm(CaseActionForm):
    handler = UserChoiceField(label=_("承办人"), queryset=None, empty_label=_("请选择"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handler"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = case_handler_choices(centre_ids=[self.case.centre_id])
        if self.case.handler_id:
            field.initial = self.case.handler_id


class ConcludeForm(CaseActionForm):
    outcome = forms.ChoiceField(label=_("办结结果"), choices=[("", _("请选择")), *Outcome.choices])
    result_letter = forms.CharField(
        label=_("结果告知书"),
        min_length=10,
        max_length=20000,
        widget=textarea(8),
        help_text=_("将在申请人的案件页面上显示并可打印，请写明办理经过、结论和后续建议。"),
    )


class ReasonForm(CaseActionForm):
    reason = forms.CharField(label=_("原因"), max_length=5000, widget=textarea(3))


class WithdrawForm(CaseActionForm):
    reason = forms.CharField(label=_("撤回原因（可选）"), max_length=5000, required=False, widget=textarea(3))


class TransferForm(CaseActionForm):
    target = CentreChoiceField(
        label=_("移送至"), queryset=Centre.objects.none(), to_field_name="code", empty_label=_("请选择")
    )
    reason = forms.CharField(label=_("移送理由"), max_length=5000, widget=textarea(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = approved_centres().exclude(pk=self.case.centre_id)


class ShareGrantForm(CaseActionForm):
    centre = CentreChoiceField(
        label=_("协同机构"), queryset=Centre.objects.none(), to_field_name="code", empty_label=_("请选择")
    )
    reason = forms.CharField(label=_("协同理由"), max_length=5000, widget=textarea(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["centre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = approved_centres().exclude(pk=self.case.centre_id)


class ShareRevokeForm(CaseActionForm):
    share = forms.ModelChoiceField(
        label=_("协同"),
        queryset=CaseShare.objects.none(),
        error_messages={"invalid_choice": _("该协同已撤销或不存在，请刷新页面。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["share"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = case_open_shares(case=self.case)


class TaskAssignForm(CaseActionForm):
    """A volunteer's task. Experts are not assigned here: they are matched and invited, and accept the
    confidentiality undertaking before their task opens (weiyuan/experts/invitations.py)."""

    user = UserChoiceField(label=_("志愿者"), queryset=None, empty_label=_("请选择"))
    task = forms.CharField(label=_("任务"), max_length=5000, widget=textarea(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = case_task_candidates(case=self.case, roles=(Role.VOLUNTEER,))


class MessageForm(CaseActionForm):
    body = forms.CharField(label=_("留言"), max_length=5000, widget=textarea(3))
    files = MultipleFileField(label=_("附件"), required=False)  # type: ignore[assignment]


class NoteForm(CaseActionForm):
    body = forms.CharField(label=_("内部备注"), max_length=5000, widget=textarea(3))
    files = MultipleFileField(label=_("附件"), required=False)  # type: ignore[assignment]


# --- workbench ---------------------------------------------------------------------------------------------

SORT_LABELS = {"newest": _("最新提交"), "oldest": _("最早提交"), "tracking": _("案件编号")}


class WorkbenchFilterForm(forms.Form):
    service_type = forms.ModelChoiceField(
        label=_("服务类型"),
        queryset=ServiceType.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label=_("全部"),
    )
    ip_type = forms.ChoiceField(label=_("知识产权类型"), choices=[("", _("全部")), *IPType.choices], required=False)
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *CaseState.choices], required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=[("", _("全部")), *Channel.choices], required=False)
    submitted_from = forms.DateField(
        label=_("提交日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请按 年-月-日 填写日期，例如 2026-03-01。")},
    )
    submitted_to = forms.DateField(
        label=_("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请按 年-月-日 填写日期，例如 2026-03-31。")},
    )
    q = forms.CharField(
        label=_("搜索"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("案件编号、申请人、被请求人或权利号"), "type": "search"}),
    )
    sort = forms.ChoiceField(label=_("排序"), choices=[(k, SORT_LABELS.get(k, k)) for k in SORTS], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("submitted_from")
        end: dt.date | None = data.get("submitted_to")
        if start and end and start > end:
            self.add_error(
                "submitted_from",
                _("开始日期 %(start)s 晚于结束日期 %(end)s，请调换两个日期。") % {"start": start, "end": end},
            )
            # Neither end of a reversed range is applied.
            self.cleaned_data.pop("submitted_to", None)
        return data


def tracking_numbers(values: list[str]) -> list[str]:
    return [v.strip().upper() for v in values if TRACKING_NUMBER_RE.match(v.strip().upper())]


class BulkAssignForm(forms.Form):
    handler = UserChoiceField(
        label=_("承办人"),
        queryset=None,
        empty_label=_("请选择承办人"),
        error_messages={"required": _("请选择要分派给的承办人。"), "invalid_choice": _("请从列表中选择承办人。")},
    )
    cases = forms.MultipleChoiceField(
        label=_("案件"), choices=(), error_messages={"required": _("请至少勾选一件案件。")}
    )

    def __init__(self, *args: Any, handlers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handler"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = handlers
        submitted = (
            tracking_numbers(self.data.getlist("cases")) if self.is_bound and hasattr(self.data, "getlist") else []
        )
        cases_field = self.fields["cases"]
        assert isinstance(cases_field, forms.MultipleChoiceField)
        cases_field.choices = [(n, n) for n in submitted]

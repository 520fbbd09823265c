"""Forms of the expert pages. They parse input into `ExpertInput` (or criteria); the services and
`validation.clean_expert` decide what is valid, and their messages land next to the fields named here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from weiyuan.experts.matching import Criteria, criteria_for_case, criteria_limit_errors
from weiyuan.experts.models import Availability, Expert, ExpertField, Language, Qualification
from weiyuan.experts.normalise import ClassError, parse_ipc_list, parse_nice_list, split_list
from weiyuan.experts.validation import ConflictInput, ExpertInput

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class FieldChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _fields() -> Any:
    return ExpertField.objects.order_by("kind", "position", "code")


class ExpertForm(forms.Form):
    """The whole profile (the keeping centre's directors and admins)."""

    name = forms.CharField(label=_("姓名"), max_length=60)
    organisation_name = forms.CharField(label=_("所属单位"), max_length=160, required=False)
    organisation_credit_code = forms.CharField(
        label=_("所属单位统一社会信用代码"), max_length=40, required=False, help_text=_("有则填写，用于利益冲突检查。")
    )
    title = forms.CharField(label=_("职称"), max_length=60, required=False)
    credential_number = forms.CharField(
        label=_("资格证书编号"), max_length=40, required=False, help_text=_("执业证、资格证等的编号。")
    )
    qualifications = forms.MultipleChoiceField(
        label=_("资格"), choices=Qualification.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    expertise = FieldChoice(
        label=_("专业领域"), queryset=ExpertField.objects.none(), required=False, to_field_name="code"
    )
    ipc_classes = forms.CharField(
        label=_("IPC 分类"),
        required=False,
        max_length=1000,
        help_text=_("多个用分号分隔，至少到小类，例如：H04L; G06F 16/00"),
    )
    nice_classes = forms.CharField(
        label=_("尼斯分类"), required=False, max_length=300, help_text=_("1-45 的类别号，例如：9, 35, 42")
    )
    languages = forms.MultipleChoiceField(
        label=_("工作语言"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.CharField(
        label=_("服务地区"),
        required=False,
        max_length=1000,
        help_text=_("完整名称或 6 位行政区划代码，多个用顿号分隔，例如：上海市、320500；不填表示全国。"),
    )
    availability = forms.ChoiceField(label=_("可用状态"), choices=Availability.choices)
    busy_until = forms.DateField(
        label=_("忙碌至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("状态为忙碌时必填。"),
    )
    fee_terms = forms.CharField(label=_("收费说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    hourly_rate = forms.DecimalField(label=_("小时费率（元）"), required=False, min_value=0, decimal_places=2)
    conflicts = forms.CharField(
        label=_("利益冲突单位"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("曾任职或代理过的单位，每行一个：名称|统一社会信用代码|说明（后两项可省略）。"),
    )
    user_email = forms.EmailField(
        label=_("关联账户邮箱"),
        required=False,
        help_text=_("已注册并具有专家角色的账户；关联后专家可维护自己的可用状态。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, centres: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = _fields()  # type: ignore[attr-defined]
        if centres is not None:
            self.fields["centre"] = forms.ModelChoiceField(
                label=_("维护机构"), queryset=centres, empty_label=None, to_field_name="code"
            )
            self.order_fields(["centre"])

    @staticmethod
    def initial_from(expert: Expert) -> dict[str, Any]:
        return {
            "name": expert.name,
            "organisation_name": expert.organisation_name,
            "organisation_credit_code": expert.organisation_credit_code,
            "title": expert.title,
            "credential_number": expert.credential_number,
            "qualifications": expert.qualifications,
            "expertise": [f.code for f in expert.fields.all()],
            "ipc_classes": "; ".join(expert.ipc_classes),
            "nice_classes": ", ".join(str(n) for n in expert.nice_classes),
            "languages": expert.languages,
            "regions": "、".join(r.code for r in expert.regions.all()),
            "availability": expert.availability,
            "busy_until": expert.busy_until,
            "fee_terms": expert.fee_terms,
            "hourly_rate": expert.hourly_rate,
            "conflicts": "\n".join(
                "|".join((c.name, c.credit_code, c.note)).rstrip("|") for c in expert.conflicts.all()
            ),
            "user_email": expert.user.email if expert.user else "",
            "version": expert.version,
        }

    def expert_input(self) -> ExpertInput:
        d = self.cleaned_data
        conflicts = []
        for line in (d.get("conflicts") or "").splitlines():
            if line.strip():
                name, _sep, rest = line.partition("|")
                code, _sep, note = rest.partition("|")
                conflicts.append(ConflictInput(name=name.strip(), credit_code=code.strip(), note=note.strip()))
        return ExpertInput(
            name=d["name"],
            organisation_name=d.get("organisation_name", ""),
            organisation_credit_code=d.get("organisation_credit_code", ""),
            title=d.get("title", ""),
            credential_number=d.get("credential_number", ""),
            fields=[f.code for f in d.get("expertise") or []],
            ipc_classes=split_list(d.get("ipc_classes", "")),
            nice_classes=split_list(d.get("nice_classes", "")),
            languages=list(d.get("languages") or []),
            regions=split_list(d.get("regions", "")),
            qualifications=list(d.get("qualifications") or []),
            availability=d["availability"],
            busy_until=d.get("busy_until"),
            fee_terms=d.get("fee_terms", ""),
            hourly_rate=d.get("hourly_rate"),
            conflicts=conflicts,
            user_email=d.get("user_email", ""),
        )


class OwnProfileForm(forms.Form):
    """What an expert keeps up to date on their own profile."""

    availability = forms.ChoiceField(label=_("可用状态"), choices=Availability.choices)
    busy_until = forms.DateField(
        label=_("忙碌至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("状态为忙碌时必填。"),
    )
    expertise = FieldChoice(
        label=_("专业领域"), queryset=ExpertField.objects.none(), required=False, to_field_name="code"
    )
    languages = forms.MultipleChoiceField(
        label=_("工作语言"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = _fields()  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    reason = forms.CharField(label=_("停用理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), help_text=_("请使用模板；第 1 行为表头。最大 20 MB。"))
    valid_only = forms.BooleanField(
        label=_("仅导入有效的行（有错误的行跳过）"),
        required=False,
        help_text=_("不勾选时，文件中只要有一行有错误，就不导入任何内容。"),
    )

    def __init__(self, *args: Any, centres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"] = forms.ModelChoiceField(
            label=_("维护机构"),
            queryset=centres,
            empty_label=None,
            to_field_name="code",
            help_text=_("新增的专家由该机构维护。"),
        )
        self.order_fields(["file", "centre", "valid_only"])

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件过大（最大 20 MB）：请拆分后分批导入。"))
        return upload


class CriteriaForm(forms.Form):
    """Matching criteria on the case's page; what is left empty comes from the case."""

    expertise = FieldChoice(
        label=_("专业领域"), queryset=ExpertField.objects.none(), required=False, to_field_name="code"
    )
    ipc = forms.CharField(label=_("IPC 分类"), required=False, max_length=300, help_text=_("例如：H04L 9/32; G06F"))
    nice = forms.CharField(label=_("尼斯分类"), required=False, max_length=200, help_text=_("例如：25, 35"))
    languages = forms.MultipleChoiceField(
        label=_("工作语言"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    region = forms.CharField(
        label=_("地区代码"), required=False, max_length=6, help_text=_("6 位行政区划代码；默认为申请人所在地区。")
    )
    given = forms.CharField(widget=forms.HiddenInput, required=False)  # "1" once the user submitted the form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = _fields()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in criteria_limit_errors(
            fields=list(data.get("expertise") or []),
            ipc=data.get("ipc"),
            nice=data.get("nice"),
            languages=list(data.get("languages") or []),
        ).items():
            self.add_error("expertise" if name == "fields" else name, message)
        return data

    def clean_ipc(self) -> list[str]:
        try:
            return parse_ipc_list(self.cleaned_data.get("ipc", ""))
        except ClassError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_nice(self) -> list[int]:
        try:
            return parse_nice_list(self.cleaned_data.get("nice", ""))
        except ClassError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_region(self) -> str:
        region = self.cleaned_data.get("region", "").strip()
        if region and not (len(region) == 6 and region.isdigit()):
            raise ValidationError(_("请填 6 位行政区划代码，例如 310115。"))
        return region

    def criteria(self, case: Any) -> Criteria:
        d = self.cleaned_data if self.is_bound and self.is_valid() else {}
        given = d.get("given") == "1"
        return criteria_for_case(
            case,
            field_codes=[f.code for f in d.get("expertise") or []] if given else None,
            ipc_classes=d.get("ipc") or [],
            nice_classes=d.get("nice") or [],
            languages=list(d.get("languages") or []) if given else None,
            region_code=d.get("region") or None,
        )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("豁免理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明为何该冲突不影响专家的独立判断；理由将记入审计记录。"),
    )

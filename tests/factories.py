"""Factories for tests (factory_boy). Build the network, people and cases through the real services."""

from __future__ import annotations

import itertools
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from weiyuan.accounts.models import Membership, User
from weiyuan.cases.models import Case, ServiceType
from weiyuan.cases.services import CaseInput, RightInput, case_create
from weiyuan.core.choices import ApplicantKind, Channel, IPType, Role
from weiyuan.network.models import Centre, CentreKind, FilingStatus, Region

_seq = itertools.count(1)

# Smallest valid files of each kind, for evidence uploads.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def region(code: str = "310115") -> Region:
    return Region.objects.get(code=code)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    code = factory.Sequence(lambda n: f"centre-{n}")
    name = factory.Sequence(lambda n: f"测试维权援助中心{n}")
    kind = CentreKind.ASSISTANCE_CENTRE
    region = factory.LazyFunction(lambda: Region.objects.get(code="310000"))
    filing_status = FilingStatus.APPROVED
    ip_types = factory.LazyFunction(lambda: list(IPType.values))
    service_types = factory.LazyFunction(lambda: list(ServiceType.objects.values_list("code", flat=True)))
    parent = None

    @classmethod
    def _create(cls, model_class: type[Centre], *args: Any, **kwargs: Any) -> Centre:
        centre = model_class(*args, **kwargs)
        centre.path = "/"
        centre.save()
        parent = centre.parent
        centre.path = f"{parent.path if parent else '/'}{centre.pk}/"
        centre.depth = parent.depth + 1 if parent else 0
        centre.save(update_fields=["path", "depth"])
        return centre


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


class ApplicantFactory(UserFactory):
    applicant_kind = ApplicantKind.ORGANISATION
    organisation_name = factory.Sequence(lambda n: f"上海测试科技有限公司{n}")


def staff(centre: Centre, role: str = Role.HANDLER, **kwargs: Any) -> User:
    """A staff user with one role at a centre."""
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, centre=centre, role=role)
    return user


def case_input(centre: Centre, **overrides: Any) -> CaseInput:
    n = next(_seq)
    data: dict[str, Any] = {
        "centre_code": centre.code,
        "service_type_code": "infringement_opinion",
        "ip_type": IPType.TRADEMARK,
        "title": f"商标侵权纠纷{n}",
        "facts": "被请求人在其网店销售与我方注册商标近似标识的商品，已取得购买公证。",
        "request": "请求出具侵权判定参考意见。",
        "applicant_name": f"上海测试科技有限公司{n}",
        "applicant_kind": ApplicantKind.ORGANISATION,
        "applicant_region_code": "310115",
        "respondent_name": f"某某商贸有限公司{n}",
        "rights": [RightInput(ip_type=IPType.TRADEMARK, number=f"{1000000 + n}", title="测试商标")],
        "channel": Channel.ONLINE,
    }
    data.update(overrides)
    return CaseInput(**data)


def make_case(centre: Centre, applicant: User | None = None, submit: bool = True, **overrides: Any) -> Case:
    """A case created through the intake service, by an applicant account (created if not given)."""
    applicant = applicant or ApplicantFactory()
    return case_create(actor=applicant, data=case_input(centre, **overrides), submit=submit)


def law_from_text(text: str, name: str = "示例法(2026-01-01).md") -> Any:
    """Import one law text (as the Markdown files of ../shared/data/laws) and return the Law."""
    import tempfile
    from pathlib import Path

    from weiyuan.knowledge.parsing import parse_law
    from weiyuan.knowledge.services import law_version_import

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        law, _version, _created = law_version_import(parsed=parse_law(path))
    return law


def admin_add_user_form(*, email: str, display_name: str, password: str = "Xinmima-2025!") -> dict[str, str]:
    """The Django admin's "add user" form with no memberships, as posted by a platform admin."""
    return {
        "email": email,
        "display_name": display_name,
        "usable_password": "true",
        "password1": password,
        "password2": password,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }


def build_network() -> dict[str, Any]:
    """The `network` fixture's rows (also built once per module by tests that share one world, e.g. the matrix)."""
    national = CentreFactory(
        code="national", name="国家知识产权维权援助指导中心", kind="national_centre", region_id="110000"
    )
    shanghai = CentreFactory(code="sh", name="上海市知识产权维权援助中心", parent=national, region_id="310000")
    pudong = CentreFactory(
        code="sh-pd", name="浦东新区维权援助分中心", parent=shanghai, kind="sub_centre", region_id="310115"
    )
    zhejiang = CentreFactory(code="zj", name="浙江省知识产权维权援助中心", parent=national, region_id="330000")
    return {
        "national": national,
        "shanghai": shanghai,
        "pudong": pudong,
        "zhejiang": zhejiang,
        "sh_intake": staff(shanghai, Role.INTAKE_OFFICER),
        "sh_handler": staff(shanghai, Role.HANDLER),
        "sh_director": staff(shanghai, Role.DIRECTOR),
        "zj_intake": staff(zhejiang, Role.INTAKE_OFFICER),
        "zj_handler": staff(zhejiang, Role.HANDLER),
        "zj_director": staff(zhejiang, Role.DIRECTOR),
        "national_supervisor": staff(national, Role.SUPERVISOR),
        "sh_supervisor": staff(shanghai, Role.SUPERVISOR),
    }

"""The demo network loaded by `manage.py seed_demo`: centres, accounts for every role and ~200 cases.

Everything is created through the real services (centre_create, filing_transition, case_create and the case
transitions), so the demo data carries the same timeline events, clocks, audit chain and outbox notices as real
use. To spread the history over past months, each step runs under a simulated clock (`django.utils.timezone.now`
returns the step's time) and all steps of all cases run in one global time order, so the audit chains stay
chronological and every clock's due date is computed on the official calendar from the simulated start.

The centres and the case scenarios are data, in `demo_data/centres.json` and `demo_data/scenarios.json`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import random
import struct
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone

from weiyuan.core.choices import ApplicantKind, Channel, IPType, PriorityGroup, Role
from weiyuan.core.validators import credit_code_check_char, id_number_check_char

DEMO_PASSWORD = "weiyuan-demo-2026"
# The national centre's code marks a database that already holds the demo network.
DEMO_MARKER_CENTRE = "cnipa-guidance"
DEMO_EMAIL_SUFFIX = ".demo"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))
OFFICE_OPEN = dt.time(9, 0)
OFFICE_CLOSE = dt.time(17, 30)

ALL_IP = list(IPType.values)
ALL_SERVICES = [
    "consultation",
    "infringement_opinion",
    "major_dispute_solution",
    "early_warning",
    "exhibition_complaint",
    "ecommerce_complaint",
    "overseas_guidance",
    "other",
]
OFFICE_HOURS = "工作日 9:00—12:00，13:30—17:30（法定节假日除外）"


# --- the data tables ---------------------------------------------------------------------------------------------

DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"


def demo_rows(name: str) -> list[dict[str, Any]]:
    """The rows of one table of `demo_data/` (JSON: a list of objects)."""
    rows: list[dict[str, Any]] = json.loads((DEMO_DATA_DIR / name).read_text(encoding="utf-8"))
    return rows


def demo_spec[T](cls: type[T], row: dict[str, Any], **kinds: Callable[[Any], Any]) -> T:
    """One row as `cls`: each field named in `kinds` is converted by it (a list: each element, into a tuple)."""
    values = dict(row)
    for name, kind in kinds.items():
        if name in values:
            value = values[name]
            values[name] = tuple(kind(v) for v in value) if isinstance(value, list) else kind(value)
    return cls(**values)


# --- small valid files, generated in code -------------------------------------------------------------------


def demo_png(width: int = 16, height: int = 12, rgb: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A small valid PNG (one colour), e.g. a photo placeholder of a counterfeit product."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def demo_pdf(text: str = "weiyuan demo evidence") -> bytes:
    """A small valid one-page PDF with an xref table (ASCII text only: it is a placeholder document)."""
    safe = "".join(c for c in text if 32 <= ord(c) < 127).replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 720 Td ({safe}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def pdf_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_pdf(text), content_type="application/pdf")


def png_file(name: str, rgb: tuple[int, int, int] = (200, 30, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_png(rgb=rgb), content_type="image/png")


# --- identifiers that pass the validators --------------------------------------------------------------------


def _digits(seed: str, n: int) -> str:
    return "".join(str(b % 10) for b in hashlib.sha256(seed.encode()).digest()[:n])


def demo_credit_code(seed: str, region: str) -> str:
    first17 = "91" + region + _digits(seed, 9)
    return first17 + credit_code_check_char(first17)


def demo_id_number(region: str, birth: str, seq: str) -> str:
    first17 = region + birth + seq
    return first17 + id_number_check_char(first17)


def demo_totp_key(email: str) -> str:
    """A fixed TOTP key (20 bytes, hex) per demo account, so `manage.py totp_code EMAIL` gives the code."""
    return hashlib.sha1(f"weiyuan-demo-totp:{email}".encode()).hexdigest()  # noqa: S324 - a demo key, not a hash


def patent_number(year: int, kind: int, serial: int) -> str:
    """A CNIPA patent number ZL + 12 digits + check digit (kind: 1 invention, 2 utility model, 3 design)."""
    body = f"{year}{kind}{serial:07d}"
    check = sum(int(c) * w for c, w in zip(body, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], strict=True)) % 11
    return f"ZL{body}.{'X' if check == 10 else check}"


def right_number(ip_type: str, seed: str) -> str:
    r = random.Random(seed)
    year = r.randint(2016, 2024)
    serial = r.randint(100000, 9999999)
    if ip_type == IPType.INVENTION:
        return patent_number(year, 1, serial)
    if ip_type == IPType.UTILITY_MODEL:
        return patent_number(year, 2, serial)
    if ip_type == IPType.DESIGN:
        return patent_number(year, 3, serial)
    if ip_type in (IPType.TRADEMARK, IPType.GI):
        return str(r.randint(10_000_000, 69_999_999))
    if ip_type == IPType.IC_LAYOUT:
        return f"BS.{year % 100:02d}5{serial % 1_000_000:06d}"
    if ip_type == IPType.COPYRIGHT:
        return f"国作登字-{year}-F-{serial:08d}"
    # Other: a plant variety right (植物新品种权).
    return f"CNA{year}{serial % 10000:04d}.{serial % 10}"


# --- the network ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CentreSpec:
    code: str
    short: str  # used in the demo e-mail addresses: director@<short>.demo
    name: str
    name_en: str
    kind: str
    region: str
    parent: str | None
    address: str
    phone: str
    description: str
    ip_types: tuple[str, ...] = tuple(ALL_IP)
    service_types: tuple[str, ...] = tuple(ALL_SERVICES)
    site: str = ""
    hours: str = OFFICE_HOURS
    filing: str = "approved"  # approved, submitted or returned
    staff: tuple[str, ...] = (Role.INTAKE_OFFICER, Role.HANDLER)


# The demo centres: demo_data/centres.json, one object per centre with the fields of CentreSpec (omitted: default).
CENTRES: tuple[CentreSpec, ...] = tuple(
    demo_spec(CentreSpec, row, ip_types=IPType, service_types=str, staff=Role) for row in demo_rows("centres.json")
)

RETURN_REASON = "请补充行业协会与市知识产权维权援助中心签订的共建协议，以及工作站场地和专职联络员的证明材料。"

STAFF_NAMES = [
    "王立新",
    "李晓梅",
    "张建华",
    "刘思远",
    "陈雅琴",
    "杨志强",
    "黄秀英",
    "赵文博",
    "吴海燕",
    "周国平",
    "徐丽娜",
    "孙浩然",
    "马俊杰",
    "朱晓燕",
    "胡振东",
    "郭佳怡",
    "何建军",
    "林婉清",
    "高明轩",
    "罗晓峰",
    "郑雨晴",
    "梁家豪",
    "宋雪莲",
    "谢天宇",
    "韩冬梅",
    "唐志远",
    "冯小雨",
    "于海涛",
    "董若曦",
    "萧景行",
    "程立群",
    "曹慧敏",
    "袁博文",
    "邓丽君",
    "许诺言",
    "傅晨光",
    "沈佳琪",
    "曾国强",
    "彭雪梅",
    "吕志明",
    "苏婉如",
    "卢卫东",
    "蒋欣然",
    "蔡明杰",
    "贾晓东",
    "丁雨桐",
    "魏振华",
    "薛敏",
]

ROLE_EMAIL: dict[str, str] = {Role.DIRECTOR: "director", Role.INTAKE_OFFICER: "intake", Role.HANDLER: "handler"}


@dataclass(frozen=True)
class ApplicantSpec:
    key: str  # e-mail local part at weiyuan.demo
    name: str
    kind: str
    region: str
    priority: str = ""
    organisation: str = ""


# company@, person@ and agent@ are the applicants named in the README; the others make the queues realistic.
APPLICANTS: tuple[ApplicantSpec, ...] = (
    ApplicantSpec("company", "上海云澜智能科技有限公司", ApplicantKind.ORGANISATION, "310115", PriorityGroup.SME),
    ApplicantSpec("person", "李明远", ApplicantKind.PERSON, "330106"),
    ApplicantSpec("agent", "陈静", ApplicantKind.AGENT, "310104", organisation="上海知衡知识产权代理有限公司"),
    ApplicantSpec("qinghe", "杭州青禾茶业有限公司", ApplicantKind.ORGANISATION, "330106", PriorityGroup.SME),
    ApplicantSpec("zhitu", "深圳市知途电子有限公司", ApplicantKind.ORGANISATION, "440305", PriorityGroup.PRIVATE_FIRM),
    ApplicantSpec("jinxiu", "广州市锦绣服饰有限公司", ApplicantKind.ORGANISATION, "440104", PriorityGroup.SME),
    ApplicantSpec("chenxi", "义乌市晨曦文具有限公司", ApplicantKind.ORGANISATION, "330782", PriorityGroup.SME),
    ApplicantSpec(
        "haiyun", "浙江海韵新能源科技股份有限公司", ApplicantKind.ORGANISATION, "330110", PriorityGroup.GOING_ABROAD
    ),
    ApplicantSpec(
        "hengzhun", "东莞市恒准精密五金制品有限公司", ApplicantKind.ORGANISATION, "441900", PriorityGroup.GOING_ABROAD
    ),
    ApplicantSpec(
        "zhiwei", "上海知微生物医药有限公司", ApplicantKind.ORGANISATION, "310115", PriorityGroup.PRIVATE_FIRM
    ),
    ApplicantSpec("jinfu", "金华市金府火腿有限公司", ApplicantKind.ORGANISATION, "330702", PriorityGroup.SME),
    ApplicantSpec(
        "wangji", "义乌市福田王记饰品商行", ApplicantKind.ORGANISATION, "330782", PriorityGroup.INDIVIDUAL_BUSINESS
    ),
    ApplicantSpec("zhaoxw", "赵晓雯", ApplicantKind.PERSON, "310104"),
    ApplicantSpec("sunjg", "孙建国", ApplicantKind.PERSON, "330212"),
)
AGENT_PRINCIPAL = "宁波海曙明辉文具有限公司"
AGENT_PRINCIPAL_REGION = "330203"

# Callers and visitors whose applications staff record on their behalf (no account).
WALK_IN_APPLICANTS: tuple[tuple[str, str, str], ...] = (
    ("温州市瓯海区明眸眼镜厂", ApplicantKind.ORGANISATION, "330304"),
    ("佛山市顺德区美陶家居用品有限公司", ApplicantKind.ORGANISATION, "440606"),
    ("周海波", ApplicantKind.PERSON, "310112"),
    ("吴婷", ApplicantKind.PERSON, "330102"),
    ("宁波甬江智能家电有限公司", ApplicantKind.ORGANISATION, "330212"),
    ("广州市白云区鸿发皮具厂", ApplicantKind.ORGANISATION, "440111"),
    ("上海申茂食品有限公司", ApplicantKind.ORGANISATION, "310114"),
    ("深圳市光合照明科技有限公司", ApplicantKind.ORGANISATION, "440306"),
)

OTHER_ACCOUNTS = (
    # key, role, display name, organisation, centre code (None: no centre)
    ("expert", Role.EXPERT, "钱立衡", "华东政法大学知识产权学院（专家库）", None),
    ("partner", Role.PARTNER, "浦东新区人民法院诉调对接中心", "上海市浦东新区人民法院", None),
    ("volunteer", Role.VOLUNTEER, "林一帆", "浙江大学光华法学院知识产权法律诊所", "ws-zju"),
)


# --- the cases -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    service: str
    ip_type: str
    title: str  # "{r}" is replaced by the respondent's short name
    facts: str
    request: str
    respondents: tuple[tuple[str, str, str], ...] = ()  # (name, short name, address or online shop)
    right_title: str = ""
    centres: tuple[str, ...] = ("sh-assist", "zj-assist", "gd-assist")
    channels: tuple[str, ...] = (Channel.ONLINE, Channel.HOTLINE, Channel.WALK_IN)
    major: bool = False
    topic: str = "law"  # a consultation's topic (weiyuan.consultations.models.Topic)


# The case scenarios: demo_data/scenarios.json, one object per scenario with the fields of Scenario.
SCENARIOS: tuple[Scenario, ...] = tuple(
    demo_spec(Scenario, row, ip_type=IPType, centres=str, channels=Channel, respondents=tuple)
    for row in demo_rows("scenarios.json")
)


# State plan: ~200 cases over every state.
STATE_PLAN: tuple[tuple[str, int], ...] = (
    ("draft", 10),
    ("submitted", 24),
    ("info_requested", 12),
    ("accepted", 14),
    ("rejected", 14),
    ("assigned", 14),
    ("in_handling", 34),
    ("concluded", 24),
    ("closed", 30),
    ("reopened", 6),
    ("withdrawn", 10),
    ("transferred", 8),
)

README_APPLICANT_STATES = {
    "company": ("in_handling", "info_requested", "concluded", "submitted", "draft", "closed", "rejected"),
    "person": ("submitted", "accepted", "in_handling", "closed", "withdrawn"),
    "agent": ("info_requested", "assigned", "reopened", "concluded", "closed"),
}

# States whose path needs the applicant's own account (answering, withdrawing, drafts).
APPLICANT_ONLY = {"draft", "info_requested", "withdrawn"}

OUTCOMES = {
    "consultation": ("advice_given",),
    "infringement_opinion": ("opinion_issued", "opinion_issued", "not_substantiated"),
    "major_dispute_solution": ("solution_provided",),
    "early_warning": ("advice_given", "opinion_issued"),
    "exhibition_complaint": ("settled", "referred"),
    "ecommerce_complaint": ("referred", "settled"),
    "overseas_guidance": ("advice_given", "solution_provided"),
    "other": ("advice_given", "referred", "other"),
}
RESULT_LETTERS = {
    "advice_given": "经研究，已就您咨询的问题提供书面指导意见（见附件说明），建议按指导意见准备材料并及时主张权利。",
    "opinion_issued": "经专家比对分析，被请求人使用的标识（产品）落入您的权利保护范围的可能性较大，参考意见书已出具。"
    "本意见仅供参考，不作为行政或司法处理的依据。",
    "not_substantiated": "经比对，被请求人产品与您的权利要求存在实质性区别，目前证据不足以认定构成侵权，"
    "建议补充证据后再行主张。",
    "solution_provided": "已组织专家论证并出具纠纷解决方案，建议优先通过许可谈判解决，同时做好诉讼和行政裁决的准备。",
    "settled": "经现场调解，被请求人已撤下涉嫌侵权展品（链接），并书面承诺不再展出和销售，双方达成和解。",
    "referred": "已将线索移交相关执法部门和平台处理，平台已删除涉嫌侵权链接，后续处理结果将另行告知。",
    "other": "已按您的申请事项完成处理，具体情况请见案件页面的说明。",
}
REJECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "no_evidence",
        "申请材料中未提供被请求人侵权行为的任何证据。",
        "请补充购买凭证、网页截图或公证书等初步证据后重新提交。",
    ),
    (
        "no_respondent",
        "申请中被请求人名称和地址均不明确，无法核实。",
        "请写明被请求人的名称、地址或网店链接后重新申请。",
    ),
    ("out_of_area", "申请人和被请求人均不在本中心服务地域内。", "请向申请人所在地的维权援助中心提出申请。"),
    (
        "out_of_remit",
        "申请事项属于产品质量投诉，不属于知识产权维权援助服务范围。",
        "请通过12315平台向市场监督管理部门投诉。",
    ),
    ("pending_elsewhere", "同一纠纷已由人民法院立案审理。", "请在诉讼程序中主张权利；如需诉讼咨询可另行申请咨询指导。"),
    ("info_not_supplied", "申请人逾期未补正材料。", "补齐材料后可重新提交申请。"),
    (
        "identity_unverified",
        "申请人提交的营业执照信息与统一社会信用代码不一致。",
        "请上传有效的营业执照复印件后重新申请。",
    ),
)
INFO_REQUESTS = (
    "请补充商标注册证复印件和被请求人网店的完整链接。",
    "请上传专利证书和最近一次缴纳年费的凭证。",
    "请补充公证购买的公证书或购买订单截图。",
    "请说明被请求人的具体地址，并补充侵权产品照片。",
)
INFO_ANSWERS = (
    "已上传商标注册证和网店链接截图，请审查。",
    "已补充专利证书和年费缴纳凭证。",
    "已补充公证书扫描件。",
    "已补充被请求人地址和产品照片。",
)
APPLICANT_MESSAGES = (
    "请问目前案件办理到哪一步了？对方店铺仍在销售，我们比较着急。",
    "已按要求准备好产品实物，可以随时送到中心。",
    "对方今天联系我们希望和解，请问应当注意什么？",
)
STAFF_MESSAGES = (
    "您好，材料已收到，我们正在组织比对，预计十个工作日内出具意见。",
    "请于下周二上午携带产品实物和包装到中心进行现场比对。",
    "和解时建议书面约定停止侵权的范围、赔偿金额和违约责任，可将草稿发给我们审阅。",
)
INTERNAL_NOTES = (
    "已与平台知识产权保护部门电话沟通，对方确认收到投诉材料。",
    "该案与上月办结的案件涉及同一被请求人，建议合并考虑。",
)
EXPERT_TASKS = (
    "请对涉案产品与专利权利要求进行技术特征比对，并出具专家意见。",
    "请就商标近似性和混淆可能性出具专家意见。",
)
VOLUNTEER_TASKS = ("请起草咨询答复初稿，交承办人审核。",)
TRANSFER_REASONS = (
    "被请求人位于对方机构服务地域，移送便于现场核查和调解。",
    "案件涉及的产业集中在对方地区，由对方机构办理更为便利。",
)
SHARE_REASONS = (
    "被请求人位于对方辖区，请协同开展现场调查取证。",
    "涉及跨区域多个侵权主体，请协同办理。",
)


# --- running the plan ----------------------------------------------------------------------------------------


@contextmanager
def simulated_now(moment: dt.datetime) -> Iterator[None]:
    """Make `timezone.now()` (used by every service, auto_now fields and the audit chain) return `moment`."""
    utc = moment.astimezone(dt.UTC)
    with mock.patch.object(timezone, "now", lambda: utc):
        yield


@dataclass
class SeedSummary:
    created: bool
    centres: Counter[str] = field(default_factory=Counter)
    accounts: int = 0
    cases: Counter[str] = field(default_factory=Counter)
    overdue_clocks: int = 0
    due_soon_clocks: int = 0
    evidence_files: int = 0
    messages: int = 0
    shares: int = 0
    outbox: int = 0
    totp_devices: int = 0
    seconds: float = 0.0


@dataclass
class CasePlan:
    index: int
    state: str
    scenario: Scenario
    centre_code: str
    channel: str
    applicant: Any  # the applicant account, or None when staff or a partner record the application
    actor: Any  # who records it
    applicant_name: str
    applicant_kind: str
    applicant_region: str
    respondent: tuple[str, str, str] | None
    steps: list[tuple[dt.datetime, str, dict[str, Any]]] = field(default_factory=list)
    case: Any = None


class DemoSeeder:
    """Builds the demo network. One instance per run; `run()` is wrapped in one transaction by the caller."""

    def __init__(self, *, log: Callable[[str], None] = print) -> None:
        from weiyuan.clocks.calendar import WorkingCalendar

        self.log = log
        self.rng = random.Random(20260101)
        self.calendar = WorkingCalendar()
        self.real_now = timezone.now()
        self.setup_at = self._office_time(self.real_now - dt.timedelta(days=300))
        self.password_hash = make_password(DEMO_PASSWORD)
        self.centres: dict[str, Any] = {}
        self.staff: dict[str, dict[str, list[Any]]] = {}
        self.users: dict[str, Any] = {}
        self.name_pool = iter(STAFF_NAMES * 3)

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
                phone=f"139{spec.region[:2]}{n:02d}{_digits(spec.key, 4)}",
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

    # -- the cases ---------------------------------------------------------------------------------------------

    def _staff_of(self, centre_id: int, role: str) -> list[Any]:
        code = next(code for code, c in self.centres.items() if c.pk == centre_id)
        people = self.staff[code].get(role) or []
        return people or self.staff[code][Role.DIRECTOR]

    def plan_cases(self) -> list[CasePlan]:
        states = [state for state, count in STATE_PLAN for _ in range(count)]
        self.rng.shuffle(states)
        takes_cases = {s.code for s in CENTRES if s.filing == "approved"}
        # The three applicants named in the README get cases in these states (so their pages show each step).
        wanted = {key: list(states_) for key, states_ in README_APPLICANT_STATES.items()}
        plans: list[CasePlan] = []
        channel_cycle = 0
        for i, state in enumerate(states):
            scenario = SCENARIOS[i % len(SCENARIOS)]
            centre_code = self.rng.choice([c for c in scenario.centres if c in takes_cases])
            readme_key = next((k for k, left in wanted.items() if state in left), None)
            if readme_key is not None and Channel.ONLINE in scenario.channels:
                wanted[readme_key].remove(state)
            else:
                readme_key = None
            needs_account = state in APPLICANT_ONLY or readme_key is not None
            channels: list[str] = list(scenario.channels)
            channel: str
            if needs_account:
                channel = Channel.ONLINE
            elif len(channels) > 1:
                # Walk the channels in turn so each one appears; online stays the most common.
                channel = channels[channel_cycle % len(channels)] if i % 3 else Channel.ONLINE
                channel_cycle += 1
                if channel == Channel.ONLINE and Channel.ONLINE not in channels:
                    channel = channels[0]
            else:
                channel = channels[0]
            applicant = None
            actor: Any
            name: str
            kind: str
            region: str
            if channel == Channel.ONLINE:
                if readme_key is not None:
                    applicant = self.users[f"{readme_key}@weiyuan.demo"]
                else:
                    applicant = self.rng.choice(self.applicants[3:])
                actor = applicant
                if applicant.applicant_kind == ApplicantKind.AGENT:
                    name, kind, region = AGENT_PRINCIPAL, ApplicantKind.ORGANISATION, AGENT_PRINCIPAL_REGION
                else:
                    name, kind, region = applicant.display_name, applicant.applicant_kind, applicant.region_id
            else:
                name, kind, region = WALK_IN_APPLICANTS[i % len(WALK_IN_APPLICANTS)]
                actor = None  # resolved when the step runs: the centre's intake officer, or the partner
            respondent = self.rng.choice(scenario.respondents) if scenario.respondents else None
            plan = CasePlan(
                index=i,
                state=state,
                scenario=scenario,
                centre_code=centre_code,
                channel=channel,
                applicant=applicant,
                actor=actor,
                applicant_name=name,
                applicant_kind=kind,
                applicant_region=region,
                respondent=respondent,
            )
            self._schedule(plan)
            plans.append(plan)
        return plans

    def _path(self, plan: CasePlan) -> list[tuple[str, float, dict[str, Any]]]:
        """The steps to reach the plan's state, with the delay (days) before each."""
        r = self.rng
        state = plan.state
        has_account = plan.applicant is not None
        steps: list[tuple[str, float, dict[str, Any]]] = [("create", 0, {"submit": state != "draft"})]
        if state == "draft":
            return steps
        if state == "submitted":
            if has_account and r.random() < 0.3:
                steps += [("request_info", r.uniform(0.5, 2), {}), ("answer_info", r.uniform(1, 6), {})]
            return steps
        if state == "info_requested":
            return [*steps, ("request_info", r.uniform(0.5, 3), {})]
        if state == "rejected":
            if r.random() < 0.3:
                steps.append(("request_info", r.uniform(0.5, 2), {}))
                return [*steps, ("reject", r.uniform(16, 20), {"reason": "info_not_supplied"})]
            return [*steps, ("reject", r.uniform(0.5, 4), {})]
        if state == "withdrawn":
            stop = r.choice(["submitted", "accepted", "in_handling"])
            if stop != "submitted":
                steps.append(("accept", r.uniform(1, 4), {}))
            if stop == "in_handling":
                steps += [("assign", r.uniform(0, 1), {}), ("start", r.uniform(0.5, 2), {})]
            return [*steps, ("withdraw", r.uniform(1, 10), {})]
        if state == "transferred":
            if r.random() < 0.5:
                steps.append(("accept", r.uniform(1, 3), {}))
            return [*steps, ("transfer", r.uniform(0.5, 3), {})]
        # Everything else goes through acceptance; some after an information request or a transfer.
        if has_account and r.random() < 0.2:
            steps += [("request_info", r.uniform(0.5, 2), {}), ("answer_info", r.uniform(1, 6), {})]
        if r.random() < 0.08:
            steps += [("transfer", r.uniform(0.5, 2), {}), ("receive_transfer", r.uniform(0.5, 2), {})]
        steps.append(("accept", r.uniform(0.5, 4), {}))
        if state == "accepted":
            return steps
        steps.append(("assign", r.uniform(0, 1.5), {}))
        if state == "assigned":
            return steps
        steps.append(("start", r.uniform(0.5, 2), {}))
        if r.random() < 0.35 or plan.applicant in self.applicants[:3]:
            steps.append(("message", r.uniform(1, 6), {"who": "applicant" if has_account else "staff"}))
            steps.append(("message", r.uniform(0.5, 3), {"who": "staff"}))
        if r.random() < 0.15:
            steps.append(("note", r.uniform(0.5, 3), {}))
        if plan.scenario.service in ("infringement_opinion", "major_dispute_solution") and r.random() < 0.3:
            steps.append(("expert_task", r.uniform(0.5, 3), {}))
        if plan.scenario.service == "consultation" and r.random() < 0.3:
            steps.append(("volunteer_task", r.uniform(0.5, 2), {}))
        if r.random() < 0.1:
            steps.append(("share", r.uniform(0.5, 3), {}))
        if state == "in_handling":
            return steps
        handling = {"exhibition_complaint": (0.5, 2.5)}.get(plan.scenario.service, (4, 30))
        steps.append(("conclude", r.uniform(*handling), {}))
        if state == "concluded":
            return steps
        if state == "closed":
            return [*steps, ("close", r.uniform(2, 10), {})]
        # reopened
        if r.random() < 0.5:
            steps.append(("close", r.uniform(2, 6), {}))
        return [*steps, ("reopen", r.uniform(3, 15), {})]

    def _schedule(self, plan: CasePlan) -> None:
        """Place the steps in time: the last one some days before now (a mix of fresh, due-soon and overdue)."""
        path = self._path(plan)
        r = self.rng
        terminal = plan.state in ("closed", "rejected", "withdrawn", "concluded")
        # Days since the last step: open cases are a mix of fresh (due later), due soon, and overdue ones.
        bucket = plan.index % 5
        if terminal:
            idle = r.uniform(1, 120)
        elif plan.state == "draft":
            idle = r.uniform(0, 20)
        elif plan.state in ("in_handling", "assigned", "reopened"):
            idle = (r.uniform(0, 8), r.uniform(6, 16), r.uniform(40, 60), r.uniform(2, 10), r.uniform(18, 28))[bucket]
        else:
            idle = (r.uniform(0.05, 1.5), r.uniform(4, 7), r.uniform(9, 30), r.uniform(1, 3), r.uniform(2, 4))[bucket]
        latest = self.real_now - dt.timedelta(days=idle)
        start = latest - dt.timedelta(days=sum(d for _, d, _ in path) + 2)
        for _attempt in range(12):
            start = max(start, self.setup_at + dt.timedelta(days=10))
            moment = self._office_time(start) if plan.applicant is None else start
            times = []
            for k, (_action, delay, _kw) in enumerate(path):
                if k:
                    by_applicant = _action in ("answer_info", "withdraw") or (
                        _action == "message" and _kw.get("who") == "applicant"
                    )
                    moment = self._later(moment, delay, office=not by_applicant)
                times.append(moment)
            excess = times[-1] - min(latest, self.real_now - dt.timedelta(minutes=30))
            if excess <= dt.timedelta(0) or start <= self.setup_at + dt.timedelta(days=10):
                break
            start -= excess + dt.timedelta(hours=r.randint(1, 30))
        plan.steps = [(t, action, kw) for t, (action, _d, kw) in zip(times, path, strict=True)]

    def run_plans(self, plans: list[CasePlan]) -> None:
        queue: list[tuple[dt.datetime, int, int]] = []
        for plan in plans:
            for k, (moment, _action, _kw) in enumerate(plan.steps):
                queue.append((min(moment, self.real_now - dt.timedelta(minutes=1)), plan.index, k))
        heapq.heapify(queue)
        by_index = {p.index: p for p in plans}
        while queue:
            moment, index, k = heapq.heappop(queue)
            plan = by_index[index]
            _t, action, kw = plan.steps[k]
            with simulated_now(moment):
                self._step(plan, action, kw, moment)

    def _case_input(self, plan: CasePlan) -> Any:
        from weiyuan.cases.services import CaseInput, RightInput

        s = plan.scenario
        r = self.rng
        respondent_name, respondent_short, respondent_address = plan.respondent or ("", "", "")
        rights = []
        if s.right_title or s.service in ("infringement_opinion", "exhibition_complaint", "ecommerce_complaint"):
            owner = plan.applicant_name
            number = right_number(s.ip_type, f"{s.title}:{owner}")
            certificate = None
            if plan.index % 11 == 3:
                certificate = pdf_file("certificate.pdf", f"Certificate {number}")
            rights.append(
                RightInput(
                    ip_type=s.ip_type if s.ip_type != IPType.TRADE_SECRET else IPType.OTHER,
                    number=number,
                    title=s.right_title,
                    owner=owner,
                    legal_status="有效",
                    certificate=certificate,
                )
            )
        evidence: list[UploadedFile] = []
        if plan.index % 9 == 2:
            evidence = [
                pdf_file("公证书.pdf", f"Notarial certificate of purchase, case {plan.index}"),
                png_file("侵权商品照片.png", (40 + plan.index % 180, 90, 160)),
            ]
        credit_code = ""
        id_number = ""
        if plan.applicant is not None:
            credit_code = plan.applicant.credit_code
            if plan.applicant.applicant_kind == ApplicantKind.AGENT:
                credit_code = demo_credit_code("minghui", AGENT_PRINCIPAL_REGION)
            id_number = plan.applicant.id_number or ""
            phone = plan.applicant.phone or ""
            email = plan.applicant.email
        else:
            if plan.applicant_kind == ApplicantKind.ORGANISATION:
                credit_code = demo_credit_code(plan.applicant_name, plan.applicant_region)
            else:
                id_number = demo_id_number(
                    plan.applicant_region, f"19{70 + plan.index % 25}0615", f"{plan.index % 900 + 100}"
                )
            phone = f"13{r.randint(5, 9)}{r.randint(10_000_000, 99_999_999)}"
            email = ""
        return CaseInput(
            centre_code=plan.centre_code,
            service_type_code=s.service,
            ip_type=s.ip_type,
            title=s.title.format(r=respondent_short or "对方"),
            facts=s.facts,
            request=s.request,
            applicant_name=plan.applicant_name,
            applicant_kind=plan.applicant_kind,
            applicant_region_code=plan.applicant_region,
            channel=plan.channel,
            applicant_credit_code=credit_code,
            applicant_id_number=id_number,
            applicant_phone=phone,
            applicant_email=email,
            priority_group=plan.applicant.priority_group if plan.applicant is not None else "",
            respondent_name=respondent_name,
            respondent_address=respondent_address,
            # Only centre staff mark a case as major (an online applicant cannot).
            is_major=s.major and plan.applicant is None,
            rights=rights,
            evidence=evidence,
        )

    def _step(self, plan: CasePlan, action: str, kw: dict[str, Any], moment: dt.datetime) -> None:
        from weiyuan.cases import services as cs
        from weiyuan.cases.models import Case, RejectReason

        r = self.rng
        if action == "create":
            intake = self._staff_of(self.centres[plan.centre_code].pk, Role.INTAKE_OFFICER)[0]
            if plan.actor is None:
                plan.actor = self.partner if plan.channel == Channel.REFERRAL else intake
            plan.case = cs.case_create(actor=plan.actor, data=self._case_input(plan), submit=kw["submit"])
            return
        case = Case.objects_unscoped.select_related("centre").get(pk=plan.case.pk)
        intake = self._staff_of(case.centre_id, Role.INTAKE_OFFICER)[0]
        director = self._staff_of(case.centre_id, Role.DIRECTOR)[0]
        if action == "request_info":
            case = cs.case_request_info(case=case, actor=intake, request_text=r.choice(INFO_REQUESTS))
        elif action == "answer_info":
            files: list[UploadedFile] = (
                [pdf_file("补正材料.pdf", f"Supplementary documents {case.tracking_number}")]
                if r.random() < 0.5
                else []
            )
            case = cs.case_answer_info(case=case, actor=plan.applicant, answer_text=r.choice(INFO_ANSWERS), files=files)
        elif action == "accept":
            case = cs.case_accept(case=case, actor=director if case.is_major else intake)
        elif action == "reject":
            reason, text, fix = next((x for x in REJECTIONS if x[0] == kw.get("reason")), REJECTIONS[plan.index % 6])
            suggested = None
            if reason == RejectReason.OUT_OF_AREA:
                suggested = next(c for code, c in self.centres.items() if code != plan.centre_code and c.takes_cases)
            cs.case_reject(
                case=case,
                actor=intake,
                reason=reason,
                text=text,
                fix=fix,
                suggested_centre=suggested,
                suggested_channel="12315" if reason == RejectReason.OUT_OF_REMIT else "",
            )
        elif action == "assign":
            handler = r.choice(self._staff_of(case.centre_id, Role.HANDLER))
            cs.case_assign(case=case, actor=intake if r.random() < 0.6 else director, handler=handler)
        elif action == "start":
            cs.case_start(case=case, actor=case.handler)
        elif action == "message":
            who = plan.applicant if kw["who"] == "applicant" else (case.handler or intake)
            texts = APPLICANT_MESSAGES if kw["who"] == "applicant" else STAFF_MESSAGES
            attachments: list[UploadedFile] = [png_file("现场照片.png", (20, 140, 90))] if r.random() < 0.25 else []
            cs.case_message_post(case=case, actor=who, body=r.choice(texts), files=attachments)
        elif action == "note":
            cs.case_message_post(case=case, actor=case.handler or intake, body=r.choice(INTERNAL_NOTES), internal=True)
        elif action == "expert_task":
            cs.case_task_assign(
                case=case, actor=case.handler or director, user=self.expert, kind="expert", task=r.choice(EXPERT_TASKS)
            )
        elif action == "volunteer_task":
            cs.case_task_assign(
                case=case,
                actor=case.handler or director,
                user=self.volunteer,
                kind="volunteer",
                task=VOLUNTEER_TASKS[0],
            )
        elif action == "share":
            other = self._other_centre(case.centre_id)
            share = cs.case_share_grant(case=case, actor=director, centre=other, reason=r.choice(SHARE_REASONS))
            if plan.index % 3 == 0:
                with simulated_now(moment + dt.timedelta(hours=2)):
                    cs.case_share_revoke(case=case, actor=director, share=share)
        elif action == "conclude":
            outcome = r.choice(OUTCOMES[plan.scenario.service])
            if not self._answer_consultation(case, plan.scenario, RESULT_LETTERS[outcome]):
                cs.case_conclude(case=case, actor=case.handler, outcome=outcome, result_letter=RESULT_LETTERS[outcome])
        elif action == "close":
            cs.case_close(case=case, actor=case.handler or director)
        elif action == "reopen":
            cs.case_reopen(
                case=case, actor=director, reason="申请人反映被请求人在办结后仍继续销售侵权商品，需要继续跟进。"
            )
        elif action == "withdraw":
            cs.case_withdraw(case=case, actor=plan.applicant, reason="双方已自行和解，申请撤回。")
        elif action == "transfer":
            cs.case_transfer(
                case=case, actor=intake, target=self._other_centre(case.centre_id), reason=r.choice(TRANSFER_REASONS)
            )
        elif action == "receive_transfer":
            cs.case_receive_transfer(case=case, actor=intake)
        else:  # pragma: no cover - the plan only uses the actions above
            raise ValueError(action)

    def _answer_consultation(self, case: Any, scenario: Scenario, answer: str) -> bool:
        """A consultation is concluded by sending its answer (the case's own "conclude" refuses it until then): the
        handler takes the case into the consultation flow and sends the answer. False for any other case, and for a
        reopened consultation whose answer was sent before (it concludes as any case)."""
        from weiyuan.cases.models import CONSULTATION_SERVICE
        from weiyuan.consultations import services as consultations
        from weiyuan.consultations.models import Consultation
        from weiyuan.consultations.services.answering import first_answer_sent

        if case.service_type.code != CONSULTATION_SERVICE:
            return False
        consultation = Consultation.objects.filter(case=case).first()
        if consultation is None:
            consultation = consultations.consultation_adopt(case=case, actor=case.handler, topic=scenario.topic)
        if first_answer_sent(consultation):
            return False
        consultations.answer_send(consultation=consultation, actor=case.handler, body=answer)
        return True

    def _other_centre(self, centre_id: int) -> Any:
        """A centre that takes cases in the same province if there is one, else another province's."""
        current = next(c for c in self.centres.values() if c.pk == centre_id)
        candidates = [
            c
            for c in self.centres.values()
            if c.pk != centre_id and c.takes_cases and c.kind not in ("workstation", "national_centre")
        ]
        same = [c for c in candidates if c.region_id[:2] == current.region_id[:2]]
        return self.rng.choice(same or candidates)

    # -- the whole run -----------------------------------------------------------------------------------------

    def run(self) -> SeedSummary:
        started = time.monotonic()
        self.build_network()
        self.build_people()
        with simulated_now(self._later(self.setup_at, 2)):
            totp = self.add_totp_devices()
        plans = self.plan_cases()
        self.run_plans(plans)
        summary = collect_summary(created=True)
        summary.totp_devices = totp
        summary.seconds = time.monotonic() - started
        return summary


def director_or_admin_q() -> Any:
    from django.db.models import Q

    return Q(is_superuser=True) | Q(memberships__role=Role.DIRECTOR, memberships__active=True)


def demo_present() -> bool:
    from weiyuan.network.models import Centre

    return Centre.objects.filter(code=DEMO_MARKER_CENTRE).exists()


def collect_summary(*, created: bool) -> SeedSummary:
    from django.db.models import Count

    from weiyuan.accounts.models import User
    from weiyuan.cases.models import Case, CaseMessage, CaseShare
    from weiyuan.clocks.models import Clock, ClockState
    from weiyuan.evidence.models import EvidenceFile
    from weiyuan.network.models import Centre
    from weiyuan.notifications.models import OutboxMessage

    now = timezone.now()
    running = Clock.objects.filter(state=ClockState.RUNNING)
    return SeedSummary(
        created=created,
        centres=Counter(
            {
                row["filing_status"]: row["n"]
                for row in Centre.objects.values("filing_status").annotate(n=Count("id")).order_by()
            }
        ),
        accounts=User.objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).count(),
        cases=Counter(
            {row["state"]: row["n"] for row in Case.objects_unscoped.values("state").annotate(n=Count("id")).order_by()}
        ),
        overdue_clocks=running.filter(due_at__lt=now).count(),
        due_soon_clocks=running.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(days=3)).count(),
        evidence_files=EvidenceFile.objects_unscoped.count(),
        messages=CaseMessage.objects.count(),
        shares=CaseShare.objects.count(),
        outbox=OutboxMessage.objects.count(),
    )


def seed_demo(*, log: Callable[[str], None] = print) -> SeedSummary:
    """Load the demo network once; on a database that already has it, only add what is missing (TOTP devices)."""
    if demo_present():
        seeder = DemoSeeder(log=log)
        with transaction.atomic():
            made = seeder.add_totp_devices()
        summary = collect_summary(created=False)
        summary.totp_devices = made
        return summary
    with transaction.atomic():
        return DemoSeeder(log=log).run()

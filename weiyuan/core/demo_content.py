"""What the demo says: its accounts, centres, applicants, scenarios and texts, and the identifiers and small files
it makes up (credit codes and ID numbers with valid check characters, right numbers in the real formats, a PNG and a
PDF). `weiyuan/core/demo.py` runs it through the real services.

The centres and the case scenarios are data, in `demo_data/centres.json` and `demo_data/scenarios.json`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

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


def demo_digits(seed: str, n: int) -> str:
    return "".join(str(b % 10) for b in hashlib.sha256(seed.encode()).digest()[:n])


def demo_credit_code(seed: str, region: str) -> str:
    first17 = "91" + region + demo_digits(seed, 9)
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

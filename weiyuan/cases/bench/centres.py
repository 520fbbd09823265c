"""The generated network: a national centre, protection and assistance centres per province, city centres, then
sub-centres and workstations per county."""

from __future__ import annotations

from dataclasses import dataclass

from weiyuan.core.validators import credit_code_check_char

BENCH_CODE_PREFIX = "bench-"


@dataclass
class CentreRow:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int
    region_id: str
    weight: float
    site: str = ""


def plan_centres(*, count: int, first_id: int) -> list[CentreRow]:
    """National centre; a protection and an assistance centre per province; a centre per city; then sub-centres
    and workstations per county, until `count`. The Zhejiang assistance centre is the busiest (the measured one)."""
    from weiyuan.network.models import Region

    regions = list(Region.objects.values_list("code", "name", "level", "parent_id"))
    provinces = [r for r in regions if r[2] == 1 and r[0] < "710000"]
    cities = [r for r in regions if r[2] == 2 and r[3] and r[3] < "710000"]
    counties = [r for r in regions if r[2] == 3 and r[0] < "710000"]
    rows: list[CentreRow] = []
    next_id = first_id

    def add(name: str, kind: str, parent: CentreRow | None, region: str, weight: float, site: str = "") -> CentreRow:
        nonlocal next_id
        row = CentreRow(
            id=next_id,
            code=f"{BENCH_CODE_PREFIX}{next_id}",
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            path=f"{parent.path if parent else '/'}{next_id}/",
            depth=parent.depth + 1 if parent else 0,
            region_id=region,
            weight=weight,
            site=site,
        )
        next_id += 1
        rows.append(row)
        return row

    national = add("国家知识产权维权援助指导中心（基准）", "national_centre", None, "110000", 10)
    assistance: dict[str, CentreRow] = {}
    for code, name, _level, _parent in provinces:
        if len(rows) >= count:
            return rows
        add(f"{name}知识产权保护中心", "protection_centre", national, code, 25)
        if len(rows) >= count:
            return rows
        busiest = code == "330000"
        assistance[code] = add(
            f"{name}知识产权维权援助中心", "assistance_centre", national, code, 250 if busiest else 40
        )
    city_centres: dict[str, CentreRow] = {}
    for code, name, _level, parent in cities:
        if len(rows) >= count:
            return rows
        province = assistance.get(parent or "") or national
        city_centres[code] = add(f"{name}知识产权维权援助中心", "assistance_centre", province, code, 8)
    sites = ["park", "market", "university", "association", "fair"]
    n = 0
    while len(rows) < count and counties:
        code, name, _level, parent = counties[n % len(counties)]
        n += 1
        upper = city_centres.get(parent or "") or assistance.get(code[:2] + "0000") or national
        if n % 3:
            add(f"{name}知识产权维权援助分中心", "sub_centre", upper, code, 2)
        else:
            site = sites[n % len(sites)]
            add(f"{name}知识产权维权援助工作站（{n}）", "workstation", upper, code, 1, site)
    return rows


def credit_code(seed: int, region: str) -> str:
    first17 = "91" + region + f"{(seed * 7919) % 10**9:09d}"
    return first17 + credit_code_check_char(first17)

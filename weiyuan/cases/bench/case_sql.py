"""The one INSERT ... SELECT that creates the cases: case i was submitted (span_days * (N - i) / N) days ago, its state
follows its age, its centre, applicant and service type are picked through weighted slot tables (see generate.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from weiyuan.cases.bench.words import (
    BRAND_WORDS,
    CITY_WORDS,
    FACTS,
    IP_WEIGHTED,
    OUTCOMES,
    REJECT_REASONS,
    REQUESTS,
    RESPONDENT_SUFFIXES,
    TITLES,
)


def case_columns(
    *,
    cases: int,
    now: dt.datetime,
    services: dict[str, int],
    slots: int,
    applicants: int,
    service_slots: int,
    span_days: int,
) -> tuple[dict[str, str], str, dict[str, Any]]:
    """(column expressions, FROM clause, parameters) for `insert_select` into cases_case."""
    step_seconds = span_days * 86400 / cases
    from_sql = """
        FROM (
            SELECT b.*,
                row_number() OVER (PARTITION BY b.centre_id ORDER BY b.i) AS seq,
                CASE WHEN b.t < %(now)s - interval '120 days' THEN
                    CASE WHEN b.h < 700 THEN 'closed' WHEN b.h < 760 THEN 'concluded' WHEN b.h < 880 THEN 'rejected'
                         WHEN b.h < 960 THEN 'withdrawn' WHEN b.h < 990 THEN 'in_handling' ELSE 'reopened' END
                ELSE
                    CASE WHEN b.h < 30 THEN 'draft' WHEN b.h < 130 THEN 'submitted'
                         WHEN b.h < 180 THEN 'info_requested' WHEN b.h < 260 THEN 'accepted'
                         WHEN b.h < 340 THEN 'rejected' WHEN b.h < 440 THEN 'assigned'
                         WHEN b.h < 740 THEN 'in_handling' WHEN b.h < 860 THEN 'concluded'
                         WHEN b.h < 940 THEN 'closed' WHEN b.h < 960 THEN 'reopened'
                         WHEN b.h < 980 THEN 'withdrawn' ELSE 'transferred' END
                END AS state,
                CASE WHEN b.h2 %% 100 < 60 THEN 'online' WHEN b.h2 %% 100 < 75 THEN 'hotline'
                     WHEN b.h2 %% 100 < 85 THEN 'walk_in' WHEN b.h2 %% 100 < 90 THEN 'exhibition'
                     WHEN b.h2 %% 100 < 97 THEN 'ecommerce' ELSE 'referral' END AS channel
            FROM (
                SELECT g.i,
                    ((g.i::bigint * 2654435761) %% 1000) AS h,
                    ((g.i::bigint * 40503) %% 997) AS h2,
                    %(now)s - make_interval(secs => (%(n)s - g.i) * %(step)s) AS t,
                    s.centre_id, s.intake_id, s.handler_id,
                    a.user_id AS app_user, a.name AS app_name, a.kind AS app_kind, a.credit AS app_credit,
                    a.region_id AS app_region,
                    sv.id AS service_id
                FROM generate_series(1, %(n)s) AS g(i)
                JOIN bench_slot s ON s.slot = (g.i::bigint * 7919) %% %(slots)s
                JOIN bench_app a ON a.idx = (g.i::bigint * 104729) %% %(apps)s
                JOIN bench_service sv ON sv.slot = (g.i::bigint * 31337) %% %(services)s
            ) b
        ) x
    """
    exprs = {
        "tracking_number": "'WY-' || to_char(x.t AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' "
        "|| lpad(x.centre_id::text, 5, '0') || '-' || lpad(x.seq::text, 6, '0')",
        "centre_id": "x.centre_id",
        "service_type_id": "x.service_id",
        "ip_type": "(%(ip)s::text[])[1 + x.i %% %(n_ip)s]",
        "channel": "x.channel",
        "state": "x.state",
        "is_major": f"x.service_id = {services['major_dispute_solution']}",
        "applicant_user_id": "CASE WHEN x.channel = 'online' THEN x.app_user END",
        "created_by_id": "CASE WHEN x.channel = 'online' THEN x.app_user ELSE x.intake_id END",
        "applicant_name": "x.app_name",
        "applicant_kind": "x.app_kind",
        "applicant_credit_code": "x.app_credit",
        "applicant_id_number": "NULL",
        "applicant_phone": "NULL",
        "applicant_region_id": "x.app_region",
        "respondent_name": "(%(cities)s::text[])[1 + (x.i / 7) %% %(n_cities)s] "
        "|| (%(brands)s::text[])[1 + (x.i / 13) %% %(n_brands)s] "
        "|| (%(suffixes)s::text[])[1 + x.i %% %(n_suffixes)s]",
        "respondent_address": "'某电商平台店铺'",
        "title": "(%(titles)s::text[])[1 + x.h2 %% %(n_titles)s]",
        "facts": "(%(facts)s::text[])[1 + x.i %% %(n_facts)s]",
        "request": "(%(requests)s::text[])[1 + x.h %% %(n_requests)s]",
        "handler_id": "CASE WHEN x.state IN ('assigned','in_handling','concluded','closed','reopened') "
        "THEN x.handler_id END",
        "state_before_transfer": "CASE WHEN x.state = 'transferred' THEN 'submitted' ELSE '' END",
        "duplicate_of": "'[]'::jsonb",
        "reject_reason": "CASE WHEN x.state = 'rejected' THEN (%(reasons)s::text[])[1 + x.i %% %(n_reasons)s] "
        "ELSE '' END",
        "reject_text": "CASE WHEN x.state = 'rejected' THEN '申请材料不符合受理条件。' ELSE '' END",
        "reject_fix": "CASE WHEN x.state = 'rejected' THEN '请补充材料后重新提交。' ELSE '' END",
        "outcome": "CASE WHEN x.state IN ('concluded','closed') "
        "THEN (%(outcomes)s::text[])[1 + x.i %% %(n_outcomes)s] "
        "ELSE '' END",
        "result_letter": "CASE WHEN x.state IN ('concluded','closed') "
        "THEN '经研究，已就您的申请出具处理意见，详见案件页面。' "
        "ELSE '' END",
        "created_at": "x.t - interval '10 minutes'",
        "submitted_at": "CASE WHEN x.state = 'draft' THEN NULL ELSE x.t END",
        "accepted_at": "CASE WHEN x.state IN ('accepted','assigned','in_handling','concluded','closed','reopened') "
        "THEN LEAST(x.t + interval '2 days', %(now)s) END",
        "concluded_at": "CASE WHEN x.state IN ('concluded','closed') THEN LEAST(x.t + interval '20 days', %(now)s) END",
        "closed_at": "CASE WHEN x.state = 'closed' THEN LEAST(x.t + interval '25 days', %(now)s) END",
        "updated_at": "%(now)s",
    }
    params = {
        "now": now,
        "n": cases,
        "step": step_seconds,
        "slots": slots,
        "apps": applicants,
        "services": service_slots,
        "ip": IP_WEIGHTED,
        "n_ip": len(IP_WEIGHTED),
        "cities": CITY_WORDS,
        "n_cities": len(CITY_WORDS),
        "brands": BRAND_WORDS,
        "n_brands": len(BRAND_WORDS),
        "suffixes": RESPONDENT_SUFFIXES,
        "n_suffixes": len(RESPONDENT_SUFFIXES),
        "titles": TITLES,
        "n_titles": len(TITLES),
        "facts": FACTS,
        "n_facts": len(FACTS),
        "requests": REQUESTS,
        "n_requests": len(REQUESTS),
        "reasons": REJECT_REASONS,
        "n_reasons": len(REJECT_REASONS),
        "outcomes": OUTCOMES,
        "n_outcomes": len(OUTCOMES),
    }
    return exprs, from_sql, params

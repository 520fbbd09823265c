"""The links of the main navigation a user gets. Each link is shown to exactly the people its page serves, decided
by that page's own rule in the access module, so the template holds no role checks and a link never leads to a
refusal (a knowledge-base editor, for one, has no workbench)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weiyuan.access.consultations import has_consultation_queue
from weiyuan.access.ecommerce import has_notice_list, has_platform_inbox
from weiyuan.access.evaluation import has_evaluation
from weiyuan.access.exhibitions import has_event_nav
from weiyuan.access.expert_tasks import has_invitation_queue, has_task_queue
from weiyuan.access.experts import ExpertPermission, database_decide
from weiyuan.access.feedback import has_return_visit_queue
from weiyuan.access.funds import has_funds
from weiyuan.access.knowledge import is_kb_staff
from weiyuan.access.kpis import has_kpis
from weiyuan.access.marks import MarksPermission, marks_decide
from weiyuan.access.panels import sits_on_a_panel
from weiyuan.access.partners import has_partner_directory, member_organisation_id
from weiyuan.access.policy import STAFF_ROLES, has_role
from weiyuan.access.referrals import has_referral_list, is_partner_account
from weiyuan.access.training import has_training
from weiyuan.access.volunteers import has_volunteer_admin, has_volunteering
from weiyuan.core.choices import Role

# Who has a queue on the workbench (`cases.selectors.available_queues`, leaving out the applicant's own list):
# centre staff, supervisors over their subtree, experts and volunteers for their tasks.
# Experts have no workbench: their tasks are on their own pages (experts:tasks), not in case lists.
WORKBENCH_ROLES = (*STAFF_ROLES, Role.SUPERVISOR, Role.VOLUNTEER)


@dataclass(frozen=True)
class NavLinks:
    workbench: bool = False  # cases:workbench
    consultation_queue: bool = False  # consultations:queue
    experts: bool = False  # experts:list
    partners: bool = False  # partners:list, the directory of cooperating organisations
    own_organisation: bool = False  # partners:own, a partner account's own organisation ("本单位")
    expert_invitations: bool = False  # experts:invitations, an expert's own queue
    expert_panels: bool = False  # panels:list, for an expert who sits on a panel
    expert_tasks: bool = False  # experts:tasks, an expert's own tasks ("我的任务")
    knowledge_manage: bool = False  # knowledge:manage
    referral_inbox: bool = False  # referrals:inbox, a partner account's referrals addressed to its organisation
    referrals: bool = False  # referrals:list, the centre's referrals (staff, supervisors)
    ecommerce: bool = False  # ecommerce:list, e-commerce notices (rights holders, centre staff, supervisors)
    ecommerce_inbox: bool = False  # ecommerce:inbox, the notices addressed to a platform account's platform
    exhibitions: bool = False  # exhibitions:list, events and their stations (centre staff, supervisors)
    my_cases: bool = False  # cases:my_cases
    ask: bool = False  # consultations:ask, for an applicant's own question (staff record theirs from the queue)
    fair_complaints: bool = False  # exhibitions:online, an applicant's complaints at fairs, filed online
    intake: bool = False  # cases:intake_start, likewise
    marks: bool = False  # marks:screen, trademark screening (any signed-in account)
    return_visits: bool = False  # feedback:visits, the return-visit queue (centre staff, supervisors)
    funds: bool = False  # funds:report, budgets and spending 经费 (centre staff, supervisors)
    kpis: bool = False  # kpis:home, statistics and dashboards 统计 (centre staff, supervisors)
    training: bool = False  # training:list, training and seminars 培训 (centre staff, supervisors, volunteers)
    volunteers: bool = False  # volunteers:list, applications and volunteers of the centres one directs
    my_volunteering: bool = False  # volunteers:mine, "我的志愿服务" (volunteers)
    evaluation: bool = False  # evaluation:list, the annual evaluation 绩效评价 (directors, supervisors)


def has_workbench(user: Any) -> bool:
    return has_role(user, *WORKBENCH_ROLES)


def nav_links(user: Any) -> NavLinks:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NavLinks()
    applicant = bool(getattr(user, "is_applicant", False))
    return NavLinks(
        workbench=has_workbench(user),
        consultation_queue=has_consultation_queue(user),
        experts=bool(database_decide(user, ExpertPermission.LIST)),
        partners=has_partner_directory(user),
        own_organisation=member_organisation_id(user) is not None,
        expert_invitations=has_invitation_queue(user),
        expert_panels=sits_on_a_panel(user),
        expert_tasks=has_task_queue(user),
        knowledge_manage=is_kb_staff(user),
        referral_inbox=is_partner_account(user),
        referrals=has_referral_list(user),
        ecommerce=has_notice_list(user) and not has_platform_inbox(user),
        ecommerce_inbox=has_platform_inbox(user),
        exhibitions=has_event_nav(user),
        # The list of one's own applications: an applicant's, or the cases a partner body referred in.
        my_cases=applicant or has_role(user, Role.PARTNER),
        ask=applicant,
        fair_complaints=applicant,
        intake=applicant,
        marks=bool(marks_decide(user, MarksPermission.SCREEN)),
        return_visits=has_return_visit_queue(user),
        funds=has_funds(user),
        kpis=has_kpis(user),
        training=has_training(user),
        volunteers=has_volunteer_admin(user),
        my_volunteering=has_volunteering(user),
        evaluation=has_evaluation(user),
    )

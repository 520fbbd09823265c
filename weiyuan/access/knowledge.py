"""Access to the knowledge base's own items (guides, Q&A, case studies, training materials). Default deny.

Published items are public. Everything else about an item — its drafts, the text under review, a withdrawn item —
belongs to its author centre: the centre's staff draft and submit, its directors and knowledge-base editors review,
and supervisors of the centre or any level above it read without acting. Everyone else gets a 404.

Laws and articles are public texts and need no rule here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import Decision, centre_ids_with_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.knowledge.models import KnowledgeItem
    from weiyuan.network.models import Centre


class KbRelation(StrEnum):
    """How a user stands towards one item's author centre."""

    AUTHOR_STAFF = "author_staff"  # intake officer, handler, director or editor of the author centre
    REVIEWER = "reviewer"  # director or knowledge-base editor of the author centre
    SUPERVISOR = "supervisor"  # supervisor of the author centre or a level above it (read-only)


class KbPermission(StrEnum):
    """Every permission on knowledge items, named once (`resource:action`), alphabetised."""

    ITEM_APPROVE = "kb_item:approve"
    ITEM_DISCARD = "kb_item:discard"
    ITEM_EDIT = "kb_item:edit"
    ITEM_REPUBLISH = "kb_item:republish"
    ITEM_RETURN = "kb_item:return"
    ITEM_SUBMIT = "kb_item:submit"
    ITEM_VIEW_UNPUBLISHED = "kb_item:view_unpublished"
    ITEM_WITHDRAW = "kb_item:withdraw"


K = KbRelation

# Staff of a centre who write for its knowledge base; of them, who approve what is published in its name.
KB_AUTHOR_ROLES = (Role.INTAKE_OFFICER, Role.HANDLER, Role.DIRECTOR, Role.EDITOR)
KB_REVIEWER_ROLES = (Role.DIRECTOR, Role.EDITOR)

# The one table: which relations to an item hold which permission on it.
KB_PERMISSIONS: dict[KbPermission, frozenset[KbRelation]] = {
    KbPermission.ITEM_APPROVE: frozenset({K.REVIEWER}),
    KbPermission.ITEM_DISCARD: frozenset({K.AUTHOR_STAFF}),
    KbPermission.ITEM_EDIT: frozenset({K.AUTHOR_STAFF}),
    KbPermission.ITEM_REPUBLISH: frozenset({K.REVIEWER}),
    KbPermission.ITEM_RETURN: frozenset({K.REVIEWER}),
    KbPermission.ITEM_SUBMIT: frozenset({K.AUTHOR_STAFF}),
    KbPermission.ITEM_VIEW_UNPUBLISHED: frozenset({K.AUTHOR_STAFF, K.REVIEWER, K.SUPERVISOR}),
    KbPermission.ITEM_WITHDRAW: frozenset({K.REVIEWER}),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def kb_author_centre_ids(user: Any) -> set[int]:
    """Centres the user may write knowledge items for."""
    return centre_ids_with_role(user, *KB_AUTHOR_ROLES) if _active(user) else set()


def kb_reviewer_centre_ids(user: Any) -> set[int]:
    """Centres whose knowledge items the user may approve, return, withdraw and republish."""
    return centre_ids_with_role(user, *KB_REVIEWER_ROLES) if _active(user) else set()


def kb_supervised_paths(user: Any) -> list[str]:
    if not _active(user):
        return []
    return [m.centre_path for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_path]


def centre_relations(user: Any, centre: Centre) -> set[KbRelation]:
    """Every relation the user holds towards knowledge items of this centre."""
    relations: set[KbRelation] = set()
    if not _active(user):
        return relations
    if centre.pk in kb_author_centre_ids(user):
        relations.add(K.AUTHOR_STAFF)
    if centre.pk in kb_reviewer_centre_ids(user):
        relations.add(K.REVIEWER)
    if any(centre.path.startswith(path) for path in kb_supervised_paths(user)):
        relations.add(K.SUPERVISOR)
    return relations


def item_relations(user: Any, item: KnowledgeItem) -> set[KbRelation]:
    return centre_relations(user, item.centre)


def kb_decide(user: Any, permission: KbPermission, item: KnowledgeItem) -> Decision:
    relations = item_relations(user, item)
    if relations & KB_PERMISSIONS[permission]:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您不是该条目作者机构的工作人员。")))
    if permission in (
        KbPermission.ITEM_APPROVE,
        KbPermission.ITEM_RETURN,
        KbPermission.ITEM_WITHDRAW,
        KbPermission.ITEM_REPUBLISH,
    ):
        return Decision(False, str(_("只有作者机构的负责人或知识库编辑可以执行此操作。")))
    return Decision(False, str(_("您的角色不能执行此操作。")))


def can_see_item(user: Any, item: KnowledgeItem) -> bool:
    """Published items: everybody. Unpublished, in review or withdrawn: the author centre and supervisors above."""
    return item.is_public or bool(kb_decide(user, KbPermission.ITEM_VIEW_UNPUBLISHED, item))


def can_see_unpublished(user: Any, item: KnowledgeItem) -> bool:
    """Drafts and earlier, unapproved versions of an item (also of a published one)."""
    return bool(kb_decide(user, KbPermission.ITEM_VIEW_UNPUBLISHED, item))


def item_scope_q(user: Any) -> Q:
    """The items a user may see, as one filter (the same rule as `can_see_item`)."""
    from weiyuan.knowledge.models import ItemStatus

    q: Any = Q(status=ItemStatus.PUBLISHED, published_version__isnull=False)
    author_centres = kb_author_centre_ids(user)
    if author_centres:
        q |= Q(centre_id__in=author_centres)
    for path in kb_supervised_paths(user):
        q |= Q(centre__path__startswith=path)
    return q


def item_staff_q(user: Any) -> Q:
    """Items the user works on or oversees (the staff list, drafts included): author centres and supervised ones."""
    author_centres = kb_author_centre_ids(user)
    q: Any = Q(centre_id__in=author_centres) if author_centres else Q(pk__in=[])
    for path in kb_supervised_paths(user):
        q |= Q(centre__path__startswith=path)
    return q


def kb_create_refusal(user: Any, centre: Centre | None = None) -> str:
    """Why the user may not write a new item (for this centre) — "" if they may."""
    centres = kb_author_centre_ids(user)
    if not centres:
        return str(_("只有援助机构的受理员、承办人、负责人或知识库编辑可以撰写知识库条目。"))
    if centre is not None and centre.pk not in centres:
        return str(_("您只能为本人所在的机构撰写知识库条目。"))
    return ""


def is_kb_staff(user: Any) -> bool:
    """Whether the user has a staff page in the knowledge base: authors, reviewers and supervisors."""
    return bool(kb_author_centre_ids(user) or kb_supervised_paths(user))

"""Case writes. Each public function is one transaction, checks the transition table and the access module,
records the public timeline step and an audit event, moves the clocks, and queues notices through the outbox.

Split by stage: `intake`, `lifecycle` (acceptance and handling), `collaboration` (co-handling, tasks, messages).
"""

from weiyuan.cases.services.collaboration import (
    SIMPLE_ACTIONS,
    case_message_post,
    case_personal_data_reveal,
    case_share_grant,
    case_share_revoke,
    case_task_assign,
)
from weiyuan.cases.services.common import TRACKING_NUMBER_RE, tracking_number_format, validate_tracking_number
from weiyuan.cases.services.intake import CaseInput, RightInput, case_create, case_submit
from weiyuan.cases.services.lifecycle import (
    case_accept,
    case_answer_info,
    case_assign,
    case_close,
    case_conclude,
    case_receive_transfer,
    case_reject,
    case_reopen,
    case_request_info,
    case_start,
    case_transfer,
    case_withdraw,
)

__all__ = [
    "SIMPLE_ACTIONS",
    "TRACKING_NUMBER_RE",
    "CaseInput",
    "RightInput",
    "case_accept",
    "case_answer_info",
    "case_assign",
    "case_close",
    "case_conclude",
    "case_create",
    "case_message_post",
    "case_personal_data_reveal",
    "case_receive_transfer",
    "case_reject",
    "case_reopen",
    "case_request_info",
    "case_share_grant",
    "case_share_revoke",
    "case_start",
    "case_submit",
    "case_task_assign",
    "case_transfer",
    "case_withdraw",
    "tracking_number_format",
    "validate_tracking_number",
]

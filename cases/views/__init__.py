"""Browser pages for cases: thin views that parse input, call one service or selector, render."""
from .changes import case_grant_revoke_view, case_part_add_view, case_share_revoke_view, case_transition_view
from .dashboard import dashboard_view
from .detail import case_detail_view, case_open_view
from .editing import case_create_view, case_edit_view
from .listing import case_list_view

__all__ = [
    "case_create_view",
    "case_detail_view",
    "case_edit_view",
    "case_grant_revoke_view",
    "case_list_view",
    "case_open_view",
    "case_part_add_view",
    "case_share_revoke_view",
    "case_transition_view",
    "dashboard_view",
]

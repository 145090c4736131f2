"""Services: the only writers of case data. Each runs in one transaction with its audit record."""
from .case import case_create, case_update
from .consultation import case_consult
from .documents import document_attach, document_download
from .parts import identifier_add, note_add, party_add, route_leg_add, seizure_add
from .sharing import case_grant_user, case_revoke_grant, case_share, case_unshare
from .workflow import case_transition

__all__ = [
    "case_consult",
    "case_create",
    "case_update",
    "case_grant_user",
    "case_revoke_grant",
    "case_share",
    "case_unshare",
    "case_transition",
    "document_attach",
    "document_download",
    "identifier_add",
    "note_add",
    "party_add",
    "route_leg_add",
    "seizure_add",
]

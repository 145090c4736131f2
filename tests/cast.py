"""The permission-matrix cast, shared by the service-level and API-level matrix tests.

The expected levels are written out by hand, not computed from the policy, so the policy
can be wrong and the tests will say so.
"""
from stdnum import iso6346

from cases.choices import HandlingCode, ShareLevel

DEMO_PASSWORD = "test-password-123"
MATRIX_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# The permission matrix's cases: key -> (owner's username, handling code, restricted, shares).
MATRIX_CASES = {
    "owned": ("rtm.officer", HandlingCode.H0, False, []),
    "shared_view": ("rtm.officer", HandlingCode.H0, False, [("BE-CUS-ANR", ShareLevel.VIEW)]),
    "shared_contribute": ("rtm.officer", HandlingCode.H0, False, [("EU-LIA", ShareLevel.CONTRIBUTE)]),
    "shared_manage": ("rtm.officer", HandlingCode.H0, False, [("DE-ZOLL-HAM", ShareLevel.MANAGE)]),
    "restricted": ("rtm.officer", HandlingCode.H0, True, []),
    "h2_managed_by_liaison": ("rtm.officer", HandlingCode.H2, False, [("EU-LIA", ShareLevel.MANAGE)]),
    "unrelated": ("ham.officer", HandlingCode.H0, False, []),
    "referred": ("rtm.officer", HandlingCode.H0, False, []),
    # Shared with Antwerp, then restricted by its owner: the dormant share opens nothing.
    "shared_then_restricted": ("rtm.officer", HandlingCode.H0, True, [("BE-CUS-ANR", ShareLevel.VIEW)]),
}
# Restricted cases open to named users only (liaison.officer is named on each). rtm.auditor
# also holds a named view grant on each, written straight into guardian's table as an old or
# hand-made grant would be: an auditor's role caps it to nothing.
RESTRICTED_CASES = {key for key, (_owner, _code, restricted, _shares) in MATRIX_CASES.items() if restricted}


def matrix_container(key: str) -> str:
    """A valid container number of the matrix case `key`, unique to it."""
    body = f"PCXU{sorted(MATRIX_CASES).index(key):06d}"
    return body + iso6346.calc_check_digit(body)


USERS = [
    "rtm.officer",
    "rtm.analyst",
    "rtm.admin",
    "rtm.auditor",
    "anr.officer",
    "ham.officer",
    "liaison.officer",
    "rtm.prosecutor",
    "anr.prosecutor",
    "admin",
]

# case key -> {username: effective access}; anyone not named has none.
EXPECTED_ACCESS = {
    "owned": {"rtm.officer": "owner", "rtm.analyst": "view"},
    "shared_view": {"rtm.officer": "owner", "rtm.analyst": "view", "anr.officer": "view"},
    "shared_contribute": {"rtm.officer": "owner", "rtm.analyst": "view", "liaison.officer": "contribute"},
    "shared_manage": {"rtm.officer": "owner", "rtm.analyst": "view", "ham.officer": "manage"},
    # Restricted: named users only, even inside the owning agency (rtm.officer created it).
    "restricted": {"rtm.officer": "owner", "liaison.officer": "view"},
    "h2_managed_by_liaison": {"rtm.officer": "owner", "rtm.analyst": "view", "liaison.officer": "manage"},
    "unrelated": {"ham.officer": "owner"},
    "referred": {"rtm.officer": "owner", "rtm.analyst": "view", "rtm.prosecutor": "contribute"},
    "shared_then_restricted": {"rtm.officer": "owner", "liaison.officer": "view"},
}


def expected(case_key: str, username: str | None) -> str | None:
    return EXPECTED_ACCESS[case_key].get(username)

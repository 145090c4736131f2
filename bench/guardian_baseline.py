"""The grants a stock django-guardian project would hold for the same access.

Guardian has no notion of an owning agency: a typical project grants `view_case` on every
case to the owning agency's group when the case is created. For the duration of the
baseline measurement those rows are added next to the real shares and named grants (all in
guardian's direct-FK table, which guardian uses when it exists), so that
`get_objects_for_user(user, "cases.view_case", Case)` answers exactly what our policy
answers at the view level (the bench checks this); afterwards they are removed again.
"""
import contextlib

from django.db import connection

from cases.access import LEVEL_CODENAME, Level

OWNER_GRANTS = """
INSERT INTO cases_casegroupobjectpermission (content_object_id, group_id, permission_id)
SELECT c.id, a.group_id, p.id
FROM cases_case c JOIN agencies_agency a ON a.id = c.owner_agency_id
JOIN auth_permission p ON p.codename = %s
JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'cases' AND t.model = 'case'
WHERE NOT c.restricted
"""
# No real share goes to the owning agency itself (case_share refuses it), so these are exactly the added rows.
REMOVE_OWNER_GRANTS = """
DELETE FROM cases_casegroupobjectpermission g
USING cases_case c, agencies_agency a
WHERE g.content_object_id = c.id AND a.id = c.owner_agency_id AND g.group_id = a.group_id
"""


@contextlib.contextmanager
def owner_grants():
    with connection.cursor() as cursor:
        cursor.execute(OWNER_GRANTS, [LEVEL_CODENAME[Level.VIEW]])
        added = cursor.rowcount
        cursor.execute("ANALYZE cases_casegroupobjectpermission")
    try:
        yield added
    finally:
        with connection.cursor() as cursor:
            cursor.execute(REMOVE_OWNER_GRANTS)
            cursor.execute("VACUUM ANALYZE cases_casegroupobjectpermission")

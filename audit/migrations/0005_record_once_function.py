# The once-per-session consultation record as a PL/pgSQL function (PostgreSQL only).
#
# Every case detail runs this statement. Sent as plain SQL, PostgreSQL parses, analyses and
# plans it on every call; inside a function its plan is cached for the connection, which
# roughly halves the server's share of the record (bench/RESULTS.md, "Audit cost"). A
# function also works behind a transaction-pooling proxy, where SQL-level PREPARE does not.
#
# The arguments are audit_auditevent's columns in model field order, then the start of the
# grouping window. tests/audit/test_consultation.py fails when the model gains a column this
# signature lacks: change both together, in a new migration.
from django.db import migrations

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_record_once(
    p_at timestamptz, p_actor_id integer, p_actor_username text, p_actor_agency text, p_actor_role text,
    p_operation text, p_action text, p_object_type text, p_object_id text, p_case_id uuid,
    p_handling_code text, p_justification text, p_recipient text, p_changes jsonb, p_request_id text,
    p_ip_address inet, p_user_agent text, p_session_ref text, p_content_hash text, p_since timestamptz
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    recorded bigint;
BEGIN
    INSERT INTO audit_auditevent (
        at, actor_id, actor_username, actor_agency, actor_role, operation, action, object_type, object_id,
        case_id, handling_code, justification, recipient, changes, request_id, ip_address, user_agent,
        session_ref, content_hash)
    SELECT p_at, p_actor_id, p_actor_username, p_actor_agency, p_actor_role, p_operation, p_action,
        p_object_type, p_object_id, p_case_id, p_handling_code, p_justification, p_recipient, p_changes,
        p_request_id, p_ip_address, p_user_agent, p_session_ref, p_content_hash
    WHERE NOT EXISTS (
        SELECT 1 FROM audit_auditevent earlier
        WHERE earlier.case_id = p_case_id AND earlier.actor_id = p_actor_id AND earlier.action = p_action
          AND earlier.at >= p_since AND earlier.session_ref = p_session_ref)
    RETURNING id INTO recorded;
    RETURN recorded;
END
$$
"""

DROP_FUNCTION = """
DROP FUNCTION IF EXISTS audit_record_once(
    timestamptz, integer, text, text, text, text, text, text, text, uuid, text, text, text, jsonb, text, inet,
    text, text, text, timestamptz)
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_lean_indexes"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]

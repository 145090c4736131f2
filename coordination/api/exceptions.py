"""One mapping from domain errors to API responses, so every endpoint answers alike.

404 for anything not visible, 403 {code, detail} for a refused action, 409 for conflicts,
400 with field messages for Django validation errors. Never a 500 for bad input.
"""
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from coordination.errors import ActionForbidden, Conflict, NotVisible


def validation_error_body(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def _note_refusal_on_a_case(context, refused: ActionForbidden) -> None:
    """A 403 under /cases/{case_id}/ is a denied attempt on that case (Art. 25 LED)."""
    from cases.access import note_refused_action  # the domain app; coordination only routes

    request, case_id = context.get("request"), (context.get("kwargs") or {}).get("case_id")
    if request is not None and case_id is not None:
        note_refused_action(request.user, case_id, refused.code)


def api_exception_handler(exc, context):
    if isinstance(exc, NotVisible):
        exc = NotFound()
    elif isinstance(exc, ActionForbidden):
        _note_refusal_on_a_case(context, exc)  # reads the case: before the transaction is marked for rollback
        set_rollback()
        return Response({"code": exc.code, "detail": exc.detail, **exc.extra}, status=status.HTTP_403_FORBIDDEN)
    elif isinstance(exc, Conflict):
        set_rollback()
        return Response({"code": exc.code, "detail": exc.detail}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, ValidationError):
        set_rollback()
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)

"""Domain errors shared by every app; the browser and API layers map them to responses.

Validation problems are Django's ValidationError (400). These cover the rest.
"""


class NotVisible(Exception):
    """The object does not exist or the caller may not see it: always answered as 404."""


class ActionForbidden(Exception):
    """The caller sees the object but may not do this to it (403). `extra`: more the caller
    needs to answer it (the H3 conditions to accept)."""

    def __init__(self, detail: str, code: str = "forbidden", extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.extra = extra or {}


class Conflict(Exception):
    """A stale version or a transition not allowed from the current state (409)."""

    def __init__(self, detail: str, code: str = "conflict"):
        super().__init__(detail)
        self.detail = detail
        self.code = code

"""Schema post-processing: every operation documents the error answers it can give.

The error shapes are the same across the API (coordination.api.exceptions), so they are
declared once here instead of on every view.
"""

ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": "Field name (or non_field_errors, or detail) to its messages.",
        "additionalProperties": {},
    },
}

ERROR_DESCRIPTIONS = {
    "400": ("Validation error: field messages", "ValidationError"),
    "401": ("Not authenticated", "Error"),
    "403": ("The role, grant or policy does not allow this (code says which)", "Error"),
    "404": ("Not found, or not visible to the caller: indistinguishable", "Error"),
    "405": ("Method not allowed", "Error"),
    "406": ("Not acceptable", "Error"),
    "409": ("Version conflict, or a transition not allowed from the current status", "Error"),
    "413": ("Request body too large", "Error"),
    "415": ("Unsupported media type", "Error"),
    "429": ("Too many requests", "Error"),
}


def _codes_for(path: str, method: str, operation: dict) -> list[str]:
    codes = ["400", "403", "405", "406", "413", "415", "429"]
    if operation.get("security") != [{}] and {} not in operation.get("security", []):
        codes.append("401")
    if "{" in path:
        codes += ["404", "409"]
    return codes


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_COMPONENTS.items():
        components.setdefault(name, schema)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _codes_for(path, method, operation):
                description, component = ERROR_DESCRIPTIONS[code]
                response = responses.setdefault(code, {"description": description})
                response.setdefault("content", {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{component}"}}})
    return result

"""The one JSON parser of /api/v1/ (DEFAULT_PARSER_CLASSES): hostile JSON is a 400, never a 500.

DRF's JSONParser turns ValueError into a 400 but lets RecursionError through, so a body of
100,000 `[` or 5,000 nested objects answered 500. Here nesting is capped well below the
interpreter's recursion limit, so a body the cap refuses is refused the same way however deep
the caller's stack happens to be when the body is read; no API body nests more than three
levels. Numbers JSON cannot express (NaN, Infinity, 1e999) are refused too: they are not JSON,
and a serializer's FloatField would accept them. So are lone surrogates (see json_problem).
"""
import codecs
import json
import math
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text[:20]}")
    return number


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_problem(data, max_depth: int) -> str | None:
    """What makes parsed JSON unusable, or None. Checked iteratively (a recursive walk would
    be the RecursionError it guards against):
    - nesting deeper than `max_depth` lists and objects;
    - a lone surrogate (`"\\ud800"`): valid JSON syntax but no Unicode text, so it cannot be
      stored in PostgreSQL nor even echoed back in a 400, which failed as a UnicodeEncodeError."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return "a string holds a lone surrogate, which is no Unicode text"
            continue
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            return f"nested more than {max_depth} levels deep"
        stack.extend((child, depth + 1) for child in children)
    return None


class BoundedJSONParser(JSONParser):
    """JSON with a nesting cap; every malformed body answers 400 `{"detail": "JSON parse error - ..."}`."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(codecs.getreader(encoding)(stream),
                             parse_constant=_refuse_constant, parse_float=_finite_float)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {self.max_depth} levels deep.") from None
        except ValueError as exc:  # includes UnicodeDecodeError and ints beyond Python's digit limit
            raise ParseError(f"JSON parse error - {exc}") from None
        problem = json_problem(data, self.max_depth)
        if problem:
            raise ParseError(f"JSON parse error - {problem}.")
        return data

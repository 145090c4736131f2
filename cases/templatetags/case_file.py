"""Helpers of the case file's templates (the PDF and its build panel)."""
from django import template

from ..selectors_evidence import withheld_reason as reason_of
from ..views.case_files import build_panel

register = template.Library()


@register.filter
def withheld_reason(standing) -> str:
    """Why an item is withheld as evidence, from its standing (cases.selectors_evidence)."""
    return reason_of(standing)


@register.simple_tag(takes_context=True)
def case_file_build_panel(context, case) -> dict:
    """The build panel's context for the review page's reader (cases.views.case_files.build_panel)."""
    return build_panel(context["request"].user, case)

"""The Exhibits tab: each exhibit with its chain of custody, and the forms that add to them.

Returned and destroyed exhibits take no more custody events (the service answers 409), so
they get no form.
"""
from dataclasses import dataclass

from ..forms import CustodyForm, ExhibitForm
from ..models import CustodyEvent, Exhibit, ExhibitStatus
from ..selectors_parts import case_exhibits


@dataclass
class CustodyRow:
    event: CustodyEvent
    position: int  # 1-based, oldest first
    corrects_position: int | None  # the position of the event it corrects


@dataclass
class ExhibitRow:
    exhibit: Exhibit
    custody: list[CustodyRow]
    form: CustodyForm | None


def custody_form(exhibit: Exhibit, data=None) -> CustodyForm:
    # Ids unique on the page: one such form per held exhibit.
    form = CustodyForm(data, events=list(exhibit.custody.all()), auto_id=f"custody-{exhibit.pk}-%s")
    form.exhibit_id = exhibit.pk
    return form


def exhibit_form(case, data=None) -> ExhibitForm:
    return ExhibitForm(data, seizures=case.seizures.all(), auto_id="exhibit-%s")


def _custody_rows(exhibit: Exhibit) -> list[CustodyRow]:
    events = list(exhibit.custody.all())
    position = {event.pk: number for number, event in enumerate(events, start=1)}
    return [CustodyRow(event, position[event.pk], position.get(event.corrects_id)) for event in events]


def exhibits_context(case, form=None, *, writable: bool) -> dict:
    """`form`: a bound form coming back with its errors, shown in its place."""
    rows = []
    for exhibit in case_exhibits(case=case):
        custody = None
        if writable and exhibit.status == ExhibitStatus.HELD:
            returned = isinstance(form, CustodyForm) and form.exhibit_id == exhibit.pk
            custody = form if returned else custody_form(exhibit)
        rows.append(ExhibitRow(exhibit, _custody_rows(exhibit), custody))
    add_form = None
    if writable:
        add_form = form if isinstance(form, ExhibitForm) else exhibit_form(case)
    return {"exhibit_rows": rows, "exhibit_form": add_form}

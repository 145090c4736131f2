"""Rendering the case file's PDF with WeasyPrint, from the dossier its requester may see.

The stylesheet (pdf.css) is handed to WeasyPrint beside the HTML, never inline, and fonts come from the system (DejaVu), so WeasyPrint has
nothing to fetch; its fetcher still refuses anything but data: URIs and files under the static
folders, so no text in a case can make the build reach the network.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .models import CaseFile
from .selectors_case_file import case_file_dossier
from .services.integrity import documents_verify, integrity_status


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


class LocalOnlyFetcher(URLFetcher):
    """data: URIs and the project's own static files; anything else is refused (and skipped)."""

    def fetch(self, url, headers=None):
        if url.startswith("data:") or _is_static_file(url):
            return super().fetch(url, headers)
        raise ValueError(f"case files fetch nothing from outside: {url[:80]}")


def _is_static_file(url: str) -> bool:
    if not url.startswith("file://"):
        return False
    path = Path(url.removeprefix("file://").split("?")[0]).resolve()
    roots = [Path(root).resolve() for root in settings.STATICFILES_DIRS]
    return any(path.is_relative_to(root) for root in roots)


def case_file_pdf(*, case_file: CaseFile, on_rendering: Callable[[], None] = lambda: None) -> RenderedPdf:
    """The PDF of `case_file`, as its requester may see the case now. Each document's file is
    re-hashed on the way ("re-checked at every export"); a mismatch shows in the document index."""
    dossier = case_file_dossier(user=case_file.requested_by, case_id=case_file.case_id)
    documents_verify([entry.document for entry in dossier.documents], occasion="case_file")
    for entry in dossier.documents:
        entry.integrity = integrity_status(entry.document)
    html = render_to_string("cases/case_file/pdf.html", {
        "dossier": dossier,
        "case": dossier.case,
        "case_file": case_file,
        "generated_at": timezone.localtime(dossier.generated_at),
        "usable_notes": [entry for entry in dossier.notes if entry.standing.usable],
        "withheld_notes": [entry for entry in dossier.notes if not entry.standing.usable],
    })
    on_rendering()
    fetcher = LocalOnlyFetcher()
    stylesheet = CSS(string=render_to_string("cases/case_file/pdf.css"), url_fetcher=fetcher)
    document = HTML(string=html, base_url=_static_root(), url_fetcher=fetcher).render(stylesheets=[stylesheet])
    return RenderedPdf(content=document.write_pdf(), pages=len(document.pages))


def _static_root() -> str:
    # Relative links resolve to the static folder, which the fetcher allows; nothing else is.
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"

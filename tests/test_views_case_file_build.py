"""Building the PDF case file from the review page (issue 16), in the browser's views.

The Rotterdam officer opens the matrix's "referred" case file, asks for the PDF (with the reason
their agency asks for on every export), watches the progress fragment, and downloads the file
once built. Nobody else reaches the fragment or the file, not even the prosecutor of the case.
"""
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import CaseFile

REASON = "Preparing the indictment"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(matrix_case):
    return matrix_case("referred")


def build_url(case) -> str:
    return reverse("cases:case-file-build", args=[case.pk])


def test_the_review_page_offers_the_build_with_the_export_reason(client, cast, case):
    client.force_login(cast["rtm.officer"])
    page = client.get(reverse("cases:case-file", args=[case.pk])).content.decode()
    assert "Build the PDF case file" in page
    assert 'name="justification"' in page and "Why do you need the case file?" in page


def test_without_the_reason_nothing_is_queued_and_the_field_says_why(client, cast, case):
    client.force_login(cast["rtm.officer"])
    answer = client.post(build_url(case), {"justification": ""}, **HTMX)
    assert answer.status_code == 200
    assert 'aria-invalid="true"' in answer.content.decode()
    assert not CaseFile.objects.filter(case=case).exists()


def test_a_queued_build_shows_a_progress_bar_that_polls(client, cast, case):
    client.force_login(cast["rtm.officer"])
    answer = client.post(build_url(case), {"justification": REASON}, **HTMX)
    case_file = CaseFile.objects.get(case=case)
    body = answer.content.decode()
    status_url = reverse("cases:case-file-status", args=[case_file.pk])
    assert f'hx-get="{status_url}"' in body and 'hx-trigger="every 1s"' in body
    assert '<progress' in body and 'max="100"' in body and "<label" in body
    assert case_file.justification == REASON


def test_a_built_file_stops_polling_and_downloads_for_its_requester_only(
        client, cast, case, run_tasks_here, django_capture_on_commit_callbacks):
    client.force_login(cast["rtm.officer"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(build_url(case), {"justification": REASON}, **HTMX)
    case_file = CaseFile.objects.get(case=case)
    fragment = client.get(reverse("cases:case-file-status", args=[case_file.pk]), **HTMX).content.decode()
    assert "hx-trigger" not in fragment and case_file.sha256 in fragment
    download_url = reverse("cases:case-file-download", args=[case_file.pk])
    assert download_url in fragment
    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download).startswith(b"%PDF") and download["X-Content-SHA256"] == case_file.sha256
    assert AuditEvent.objects.filter(action="case_file_download", object_id=str(case_file.pk)).count() == 1

    client.force_login(cast["rtm.prosecutor"])
    assert client.get(reverse("cases:case-file-status", args=[case_file.pk])).status_code == 404
    assert client.get(download_url).status_code == 404

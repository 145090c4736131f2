"""Celery tasks of the cases app: thin, take ids (JSON), and safe to run twice."""
import logging

from celery import shared_task
from django.conf import settings

from .models import Document
from .services.access_requests import access_requests_expire
from .services.case_files import case_file_build
from .services.integrity import document_verify
from .services.matching import hits_match_case, hits_rematch_all

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def match_case_keys(case_id: str) -> int:
    """Hits for the keys of one case, enqueued on commit after an identifier or party is added."""
    return len(hits_match_case(case_id=case_id))


@shared_task(acks_late=True)
def rematch_all() -> int:
    """Nightly: every hit the index implies, so that matches missed while no worker ran are found."""
    created = len(hits_rematch_all())
    if created:
        logger.info("Nightly re-match created %s hit rows.", created)
    return created


@shared_task(acks_late=True)
def expire_access_requests() -> int:
    """Hourly: pending access requests past ACCESS_REQUEST_TTL_DAYS lapse, and both sides hear of it."""
    return access_requests_expire()


@shared_task(acks_late=True)
def verify_document_hashes() -> int:
    """Daily: every stored file against its recorded SHA-256; returns how many were newly found
    not to match (each marked and alerted once). Documents already marked are not re-read."""
    unmarked = Document.objects.filter(integrity_failed_at__isnull=True).select_related("case__owner_agency")
    mismatches = 0
    for document in unmarked.order_by("pk").iterator(chunk_size=settings.DOCUMENT_VERIFY_BATCH):
        mismatches += not document_verify(document)
    if mismatches:
        logger.warning("%s document(s) no longer match their SHA-256.", mismatches)
    return mismatches


@shared_task(acks_late=True)
def build_case_file(file_id: str) -> str:
    """The PDF case file requested by a prosecutor (queue CASE_FILE_QUEUE); its final status."""
    return case_file_build(file_id=file_id).status

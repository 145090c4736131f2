"""Case documents over /api/v1/: multipart upload, list, and the audited download.

Uploads stream through `StreamingDigestUploadHandler`, installed for this view only: it
hashes the bytes as they arrive and stops reading as soon as the limit is passed, so an
oversized file is neither buffered in memory nor stored.
"""
import base64
import hashlib

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response


from .. import services
from ..documents import DocumentTooLarge, UnsupportedDocumentType, download_filename, response_content_type
from ..choices import DocumentKind
from ..models import Document
from ..services.documents import DocumentIntegrityFailed
from ..services.integrity import FAILED, INTACT, UNCHECKED, integrity_status
from .serializers import WriteSerializer
from .views import ERRORS, READER_HEADERS, CasePartViewSet, reader_answers

# Room for the multipart boundaries and the title and kind fields around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Upload too large."
    default_code = "too_large"


class StreamingDigestUploadHandler(TemporaryFileUploadHandler):
    """Spools uploaded files to disk while hashing them (SHA-256) and counting their bytes.

    The count covers every file in the request, so several parts cannot add up past the limit.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Refuse before reading a byte when the declared body cannot fit.
        if content_length > settings.DOCUMENT_MAX_BYTES + FORM_OVERHEAD_BYTES:
            raise DocumentTooLarge()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.too_large = True
            # Django closes (and so deletes) the partial temporary file and stops reading.
            raise StopUpload(connection_reset=True)
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded_file = super().file_complete(file_size)
        uploaded_file.sha256 = self.digest.hexdigest()
        return uploaded_file

    def upload_complete(self):
        if self.too_large:
            raise DocumentTooLarge()


class DocumentSerializer(serializers.ModelSerializer):
    filename = serializers.CharField(source="original_filename")
    uploaded_by = serializers.CharField(source="created_by.username", default=None, allow_null=True, read_only=True)
    download_url = serializers.SerializerMethodField()
    integrity = serializers.SerializerMethodField(
        help_text="ok: the stored file matched its SHA-256 when last checked; failed: it no longer does, and the "
                  "document is not handed out; unchecked: not re-checked since it was attached.")

    class Meta:
        model = Document
        fields = ["id", "title", "kind", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at",
                  "download_url", "integrity", "integrity_failed_at"]

    @extend_schema_field(serializers.ChoiceField(choices=[INTACT, FAILED, UNCHECKED]))
    def get_integrity(self, document) -> str:
        return integrity_status(document)

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document) -> str:
        path = reverse("api:case-document-download", kwargs={"case_id": document.case_id, "doc_id": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentUploadSerializer(WriteSerializer):
    """The multipart upload: the file and what it is."""

    file = serializers.FileField(help_text="PDF, PNG, JPEG, TIFF, UTF-8 text or CSV, DOCX, XLSX, ODT or ODS; "
                                           "the type is judged from the content.")
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)


@extend_schema_view(
    list=extend_schema(summary="The case's documents", parameters=READER_HEADERS,
                       responses={200: DocumentSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
    create=extend_schema(
        summary="Attach a document to the case",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, **ERRORS,
                   413: OpenApiResponse(description="Larger than DOCUMENT_MAX_BYTES"),
                   415: OpenApiResponse(description="Content is not an accepted type")},
    ),
)
class DocumentViewSet(CasePartViewSet):
    """GET lists the case's documents; POST uploads one (multipart); download streams one, audited."""

    model = Document
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before DRF wraps the request: session authentication's CSRF check may already parse
        # the body, and Django refuses to swap handlers once it has.
        if request.method == "POST":
            request.upload_handlers = [StreamingDigestUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, DocumentTooLarge):
            exc = PayloadTooLarge(exc.detail)
        elif isinstance(exc, UnsupportedDocumentType):
            exc = UnsupportedMediaType(self.request.content_type, detail=exc.detail)
        return super().handle_exception(exc)

    def create(self, request, case_id=None):
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_attach(
            actor=request.user,
            case_id=self.case.pk,
            uploaded_file=data.validated_data["file"],
            title=data.validated_data["title"],
            kind=data.validated_data["kind"],
            justification=data.validated_data.get("justification", ""),
        )
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a document (audited as a consultation)",
        operation_id="cases_documents_download",
        parameters=READER_HEADERS,
        responses={(200, "*/*"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The file as stored, with its detected type; its SHA-256 in "
                                             "X-Content-SHA256"),
            404: ERRORS[404],
            409: OpenApiResponse(description="The stored file no longer matches its SHA-256 (code "
                                             "document_integrity); it is not handed out")},
    )
    def download(self, request, case_id=None, doc_id=None):
        try:
            document = services.document_download(actor=request.user, case_id=self.case.pk, document_id=doc_id,
                                                   **reader_answers(request))
        except DocumentIntegrityFailed as failed:
            # Answered here, not by the exception handler, which would roll back the request's
            # transaction and with it the mark and the alert.
            return Response({"code": failed.code, "detail": failed.detail}, status=status.HTTP_409_CONFLICT)
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=download_filename(document.original_filename, document.content_type),
            content_type=response_content_type(document.content_type),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Content-SHA256"] = document.sha256
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(document.sha256)).decode()}:"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

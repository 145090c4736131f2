"""The prosecutor's case file over /api/v1/ (issue 16).

POST /cases/{case_id}/case-file/ queues the build and answers 202 at once (the PDF is built by a
Celery task); GET /case-files/{file_id}/ reports its progress; GET /case-files/{file_id}/download/
hands out the PDF. A case file is its requester's alone: anyone else gets 404.
"""
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from ..models import CaseFile, CaseFileStatus
from ..services.case_files import case_file_download, case_file_get, case_file_request
from .serializers import WriteSerializer
from .views import ACKNOWLEDGE_HEADER, ERRORS, JUSTIFICATION_HEADER, READER_HEADERS, reader_answers


class CaseFileRequestSerializer(WriteSerializer):
    acknowledge_conditions = serializers.BooleanField(
        required=False, default=False,
        help_text="H3 cases: accepts the owner's conditions (also as the X-Acknowledge-Conditions: H3 header)")


class CaseFileQueuedSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseFile
        fields = ["id", "status", "progress"]


class CaseReferenceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class CaseFileSerializer(serializers.ModelSerializer):
    case = CaseReferenceSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseFile
        fields = ["id", "case", "status", "progress", "sha256", "size", "pages", "error", "created_at", "finished_at",
                  "download_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, case_file) -> str | None:
        if case_file.status != CaseFileStatus.DONE:
            return None
        path = reverse("api:case-file-download", kwargs={"file_id": case_file.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class PdfRenderer(BaseRenderer):
    """Lets a client ask for the download with `Accept: application/pdf`. The PDF itself goes out
    as it is; only error bodies would come here, and they are sent as JSON (finalize_response)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise AssertionError("the PDF is sent as it is; errors are rendered as JSON")


class CaseFileViewSet(viewsets.ViewSet):
    """Thin: each handler calls one service of cases.services.case_files."""

    def get_renderers(self):
        if self.action == "download":
            return [JSONRenderer(), PdfRenderer()]
        return super().get_renderers()

    def finalize_response(self, request, response, *args, **kwargs):
        chosen = getattr(request, "accepted_renderer", None)
        if isinstance(chosen, PdfRenderer) and isinstance(response, Response):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        summary="Start building the case's PDF case file",
        description="Answers at once; a worker builds the PDF. Poll the URL in the Location header. The rules "
                    "of every read apply (H3 conditions, the first-consultation reason) and, where the agency's "
                    "policy asks for one, a reason for the export: `justification` in the body or X-Justification.",
        parameters=[JUSTIFICATION_HEADER, ACKNOWLEDGE_HEADER],
        request=CaseFileRequestSerializer,
        responses={202: CaseFileQueuedSerializer, **ERRORS},
    )
    def create(self, request, case_id=None):
        data = CaseFileRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = reader_answers(request)
        case_file = case_file_request(
            actor=request.user, case_id=case_id,
            justification=data.validated_data.get("justification") or answers["justification"],
            acknowledge_conditions=data.validated_data["acknowledge_conditions"] or answers["acknowledge_conditions"],
        )
        location = request.build_absolute_uri(reverse("api:case-file-detail", kwargs={"file_id": case_file.pk}))
        return Response(CaseFileQueuedSerializer(case_file).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": location})

    @extend_schema(summary="A case file's build status and progress (its requester only)",
                   responses={200: CaseFileSerializer, 404: ERRORS[404]})
    def retrieve(self, request, file_id=None):
        case_file = case_file_get(actor=request.user, file_id=file_id)
        return Response(CaseFileSerializer(case_file, context={"request": request}).data)

    @extend_schema(
        summary="Download the built case file (its requester only; audited as a consultation)",
        operation_id="case_files_download",
        parameters=READER_HEADERS,
        responses={(200, "application/pdf"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The PDF; its SHA-256, as recorded at the build, in X-Content-SHA256"),
            403: ERRORS[403], 404: ERRORS[404],
            409: OpenApiResponse(description="Not built (yet), or the stored file no longer matches its SHA-256")},
    )
    def download(self, request, file_id=None):
        handed_out = case_file_download(actor=request.user, file_id=file_id, **reader_answers(request))
        case_file = handed_out.case_file
        response = HttpResponse(handed_out.content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{handed_out.filename}"'
        response["X-Content-SHA256"] = case_file.sha256
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

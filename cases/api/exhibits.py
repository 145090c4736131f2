"""Exhibits and their chain of custody over /api/v1/ (issue 16).

GET/POST /cases/{case_id}/exhibits/, GET/POST /cases/{case_id}/exhibits/{exhibit_id}/custody/ and
GET .../custody/{event_id}/. Custody events are never changed: the routes offer no PUT, PATCH or
DELETE (405), on the list as on one event. Reading any of them is a consultation of the case,
like every part list.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from coordination.api.pagination import NewestFirstCursorPagination
from coordination.api.viewsets import CaseScopedViewSet
from coordination.errors import NotVisible

from .. import services
from ..models import CustodyEvent, CustodyPurpose, Exhibit
from ..services.exhibits import custody_record, exhibit_add
from .serializers import WriteSerializer
from .views import ERRORS, READER_HEADERS, OldestFirst, reader_answers

CONFLICT = {409: OpenApiResponse(description="The exhibit is returned or destroyed: its chain of custody is closed")}


class CustodyEventSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CustodyEvent
        fields = ["id", "from_holder", "from_location", "to_holder", "to_location", "purpose", "seal_intact", "note",
                  "corrects", "recorded_by", "recorded_at"]


class ExhibitSerializer(serializers.ModelSerializer):
    custody = CustodyEventSerializer(many=True, read_only=True)

    class Meta:
        model = Exhibit
        fields = ["id", "number", "description", "seal_number", "seizure", "holder", "location", "status",
                  "seal_broken", "custody", "created_at"]


class ExhibitInputSerializer(WriteSerializer):
    description = serializers.CharField(max_length=2000)
    seal_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    holder = serializers.CharField(max_length=200)
    location = serializers.CharField(max_length=200)
    seizure = serializers.UUIDField(required=False, allow_null=True, help_text="A seizure of this case")


class CustodyInputSerializer(WriteSerializer):
    to_holder = serializers.CharField(max_length=200)
    to_location = serializers.CharField(max_length=200)
    purpose = serializers.ChoiceField(choices=CustodyPurpose.choices)
    seal_intact = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    corrects = serializers.UUIDField(required=False, allow_null=True,
                                     help_text="The earlier custody event of this exhibit that this one corrects")


class OldestEventFirst(NewestFirstCursorPagination):
    ordering = ("recorded_at", "id")


@extend_schema_view(
    list=extend_schema(summary="The case's exhibits, each with its chain of custody", parameters=READER_HEADERS,
                       responses={200: ExhibitSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
    create=extend_schema(summary="Add an exhibit to the case (numbered EX-001, ...)", request=ExhibitInputSerializer,
                         responses={201: ExhibitSerializer, **ERRORS}),
)
class ExhibitViewSet(mixins.ListModelMixin, CaseScopedViewSet):
    serializer_class = ExhibitSerializer
    pagination_class = OldestFirst

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Exhibit.objects.none()
        return Exhibit.objects.filter(case=self.case).prefetch_related("custody__recorded_by")

    def list(self, request, *args, **kwargs):
        services.case_consult(actor=request.user, case=self.case, what="exhibits", **reader_answers(request))
        return super().list(request, *args, **kwargs)

    def create(self, request, case_id=None):
        data = ExhibitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exhibit = exhibit_add(actor=request.user, case_id=self.case.pk, **data.validated_data)
        return Response(ExhibitSerializer(exhibit).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="An exhibit's chain of custody, oldest first", parameters=READER_HEADERS,
                       responses={200: CustodyEventSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
    create=extend_schema(summary="Record a custody event (append-only; a correction names the event it corrects)",
                         request=CustodyInputSerializer,
                         responses={201: CustodyEventSerializer, **ERRORS, **CONFLICT}),
    retrieve=extend_schema(summary="One custody event (never changed: PUT, PATCH and DELETE answer 405)",
                           parameters=READER_HEADERS,
                           responses={200: CustodyEventSerializer, 403: ERRORS[403], 404: ERRORS[404]}),
)
class CustodyViewSet(mixins.ListModelMixin, CaseScopedViewSet):
    serializer_class = CustodyEventSerializer
    pagination_class = OldestEventFirst

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return CustodyEvent.objects.none()
        exhibit = Exhibit.objects.filter(case=self.case, pk=self.kwargs["exhibit_id"]).first()
        if exhibit is None:
            raise NotVisible()
        return CustodyEvent.objects.filter(exhibit=exhibit).select_related("recorded_by")

    def list(self, request, *args, **kwargs):
        services.case_consult(actor=request.user, case=self.case, what="exhibits", **reader_answers(request))
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, case_id=None, exhibit_id=None, event_id=None):
        services.case_consult(actor=request.user, case=self.case, what="exhibits", **reader_answers(request))
        event = self.get_queryset().filter(pk=event_id).first()
        if event is None:
            raise NotVisible()
        return Response(CustodyEventSerializer(event).data)

    def create(self, request, case_id=None, exhibit_id=None):
        data = CustodyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = custody_record(actor=request.user, case_id=self.case.pk, exhibit_id=exhibit_id,
                               **data.validated_data)
        return Response(CustodyEventSerializer(event).data, status=status.HTTP_201_CREATED)

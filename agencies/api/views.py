from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import active_membership, agency_list
from .serializers import AgencySerializer, MeSerializer


class MeView(APIView):
    @extend_schema(summary="Who the caller is: agency and role", responses={200: MeSerializer})
    def get(self, request):
        membership = active_membership(request.user)
        return Response(MeSerializer({
            "username": request.user.get_username(),
            "agency": membership.agency if membership else None,
            "role": membership.role if membership else None,
        }).data)


class AgencyListView(APIView):
    @extend_schema(summary="Every agency on the platform", responses={200: AgencySerializer(many=True)})
    def get(self, request):
        return Response(AgencySerializer(agency_list(), many=True).data)

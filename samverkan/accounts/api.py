"""REST API for organisations, memberships and tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from samverkan.accounts import selectors
from samverkan.accounts.models import Membership, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["uuid", "name", "kind", "country", "municipality", "is_active"]


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    user_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["uuid", "organisation", "role", "is_active", "user_name"]


class MeSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    email = serializers.EmailField()
    acting_as = MembershipSerializer(allow_null=True)
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    policy_action = "dashboard.view"

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        data = {
            "full_name": request.user.full_name,
            "email": request.user.email,
            "acting_as": request.membership,
            "memberships": selectors.memberships_of(user=request.user),
        }
        return Response(MeSerializer(data).data)


class OrganisationListView(generics.ListAPIView):
    policy_action = "organisation.list"
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisation_list(actor=self.request.membership)


class MemberListView(generics.ListAPIView):
    policy_action = "organisation.members.view"
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return selectors.member_list(actor=self.request.membership)

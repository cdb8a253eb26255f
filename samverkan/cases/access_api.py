"""REST API for who may see a case: consents and legal bases, and shares.

The same services as the pages (``access_views``), in the API's one error
format. A case the caller may not act on is the one 404, whatever the body
says; a request the service refuses is a 400 with its reason and writes
nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from samverkan.accounts.models import Organisation
from samverkan.cases import selectors, services
from samverkan.cases.access_forms import CONSENT_CATEGORIES, SHAREABLE_CATEGORIES
from samverkan.cases.api import ERRORS, OrganisationRefSerializer, StrictSerializer
from samverkan.cases.models import Consent, LegalBasis, Participation, Purpose

# --- Output -----------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer):
    organisations = serializers.SlugRelatedField(many=True, read_only=True, slug_field="uuid")

    class Meta:
        model = Consent
        fields = [
            "uuid",
            "basis",
            "reference",
            "categories",
            "organisation_kinds",
            "organisations",
            "purposes",
            "manner",
            "given_on",
            "expires_on",
            "withdrawn_at",
        ]


class ParticipationSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    basis = serializers.SlugRelatedField(read_only=True, slug_field="uuid")

    class Meta:
        model = Participation
        fields = ["uuid", "organisation", "categories", "purpose", "basis", "source", "granted_at"]


# --- Input ------------------------------------------------------------------------


class ConsentInputSerializer(StrictSerializer):
    basis = serializers.ChoiceField(choices=LegalBasis.choices)
    reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="For a court order or a child-protection duty: the decision's number.",
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CONSENT_CATEGORIES), min_length=1, max_length=20
    )
    organisation_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Organisation.Kind.choices),
        max_length=len(Organisation.Kind.choices),
        default=list,
    )
    organisations = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=100,
        default=list,
        help_text="Named organisations of the case's country.",
    )
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices), min_length=1, max_length=10
    )
    manner = serializers.ChoiceField(choices=Consent.Manner.choices)
    given_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class ShareInputSerializer(StrictSerializer):
    basis = serializers.UUIDField(help_text="The consent or legal basis the share rests on.")
    organisation = serializers.UUIDField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=SHAREABLE_CATEGORIES), max_length=20, default=list
    )


def _input(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _recipients(actor, case, uuids, field: str) -> list[Organisation]:
    """The organisations named, all of them ones the case may go to (as on the
    page's form), or a 400 naming ``field``."""
    found = list(selectors.share_recipients(actor, case).filter(uuid__in=uuids))
    if len(found) != len(set(uuids)):
        raise exceptions.ValidationError(
            {field: [_("Choose organisations of the case's country that may receive it.")]}
        )
    return found


# --- Views ------------------------------------------------------------------------


class CaseConsentListView(APIView):
    policy_action = "case.list"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="cases_consents_record",
        summary="Record the person's consent, or a legal basis that needs none",
        request=ConsentInputSerializer,
        responses={201: ConsentSerializer, **ERRORS},
    )
    def post(self, request, case_uuid):
        actor = request.membership
        case = selectors.case_for_action(actor, case_uuid, "case.consent.manage")
        values = _input(ConsentInputSerializer, request)
        values["organisations"] = _recipients(actor, case, values["organisations"], "organisations")
        consent = services.record_consent(actor=actor, case=case, **values)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class CaseConsentWithdrawView(APIView):
    policy_action = "case.list"

    @extend_schema(
        operation_id="cases_consents_withdraw",
        summary="Withdraw a consent or legal basis; shares resting on it end at once",
        request=None,
        responses={200: ConsentSerializer, **ERRORS},
    )
    def post(self, request, case_uuid, consent_uuid):
        actor = request.membership
        case = selectors.case_for_action(actor, case_uuid, "case.consent.manage")
        consent = selectors.consent_of_case(case, consent_uuid)
        services.withdraw_consent(actor=actor, case=case, consent=consent)
        consent.refresh_from_db()
        return Response(ConsentSerializer(consent).data)


class CaseShareListView(APIView):
    policy_action = "case.list"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="cases_shares_create",
        summary="Let another organisation take part, for what a consent or legal basis allows",
        request=ShareInputSerializer,
        responses={201: ParticipationSerializer, **ERRORS},
    )
    def post(self, request, case_uuid):
        actor = request.membership
        case = selectors.case_for_action(actor, case_uuid, "case.share")
        values = _input(ShareInputSerializer, request)
        basis = selectors.consents_in_force(case).filter(uuid=values["basis"]).first()
        if basis is None:
            raise exceptions.ValidationError(
                {"basis": [_("That consent or legal basis is not in force.")]}
            )
        (organisation,) = _recipients(actor, case, [values["organisation"]], "organisation")
        participation = services.share_case(
            actor=actor,
            case=case,
            organisation=organisation,
            purpose=values["purpose"],
            categories=values["categories"],
            basis=basis,
        )
        return Response(ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)


class CaseShareRevokeView(APIView):
    policy_action = "case.list"

    @extend_schema(
        operation_id="cases_shares_revoke",
        summary="End an organisation's part in the case",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **ERRORS},
    )
    def post(self, request, case_uuid, participation_uuid):
        actor = request.membership
        case = selectors.case_for_action(actor, case_uuid, "case.share")
        participation = selectors.participation_of_case(case, participation_uuid)
        services.revoke_share(actor=actor, case=case, participation=participation)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""REST API for referrals, the service directory and the person's current
sharing: the same services and selectors as the pages, in the API's one
error format. Refusal and absence are the same 404."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from samverkan.accounts.models import Membership, Organisation
from samverkan.cases import selectors as case_selectors
from samverkan.cases.access_api import ConsentSerializer
from samverkan.cases.api import ERRORS, OrganisationRefSerializer, StrictSerializer
from samverkan.cases.models import Category, Consent, ExploitationForm, Purpose
from samverkan.directory import hsds, mapping
from samverkan.directory import selectors as directory_selectors
from samverkan.directory import services as directory_services
from samverkan.directory.models import (
    CAPACITY_MAX,
    Service,
    ServiceKind,
    SituationMapping,
    TargetGroup,
)
from samverkan.policy import referrals as referral_policy
from samverkan.referrals import selectors, services, team_services
from samverkan.referrals.identifiers import LABELS
from samverkan.referrals.models import DeclineReason, Urgency

TEXT_MAX = services.TEXT_MAX


# --- Referrals ------------------------------------------------------------------


class _ReferralRequestSerializer(StrictSerializer):
    """What a referral of a case shares and asks for, whoever receives it."""

    case = serializers.UUIDField()
    basis = serializers.UUIDField(help_text="The consent or legal basis it rests on.")
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), max_length=20, default=list
    )
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceKind.choices), min_length=1, max_length=20
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    message = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )


class ReferralSendSerializer(_ReferralRequestSerializer):
    service = serializers.UUIDField(required=False, allow_null=True, default=None)
    receiver = serializers.UUIDField(required=False, allow_null=True, default=None)


class ReferralSummarySerializer(serializers.Serializer):
    """The masked preview: nothing that identifies the person, nor the case."""

    uuid = serializers.UUIDField()
    status = serializers.CharField()
    sender_organisation = OrganisationRefSerializer()
    receiver = OrganisationRefSerializer()
    service = serializers.UUIDField(source="service.uuid", allow_null=True, default=None)
    needs = serializers.ListField(child=serializers.CharField())
    urgency = serializers.CharField()
    age_group = serializers.CharField()
    sex = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    municipality = serializers.CharField()
    purpose = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    decline_reason = serializers.CharField()
    sent_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)


class ReferralEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    organisation = serializers.CharField(allow_null=True)
    text = serializers.CharField()


class ReferralDetailSerializer(serializers.Serializer):
    referral = ReferralSummarySerializer()
    relation = serializers.CharField()
    # The case only once the actor may see it; the message likewise.
    case = serializers.UUIDField(allow_null=True)
    message = serializers.CharField(allow_null=True)
    basis_in_force = serializers.BooleanField()
    allowed_actions = serializers.ListField(child=serializers.CharField())
    history = ReferralEventSerializer(many=True)


def _detail_data(detail: selectors.ReferralDetail) -> dict:
    return ReferralDetailSerializer(
        {
            "referral": detail.referral,
            "relation": detail.relation,
            "case": detail.referral.case.uuid if detail.case_visible else None,
            "message": detail.message,
            "basis_in_force": detail.basis_in_force,
            "allowed_actions": sorted(detail.allowed_actions),
            "history": [
                {
                    "kind": event.kind,
                    "at": event.at,
                    "organisation": event.organisation.name if event.organisation else None,
                    "text": text,
                }
                for event, text in detail.events
            ],
        }
    ).data


class ReferralInboxSerializer(serializers.Serializer):
    received = ReferralSummarySerializer(many=True)
    sent = ReferralSummarySerializer(many=True)


def _basis_in_force(case, basis_uuid) -> Consent:
    basis = case_selectors.consents_in_force(case).filter(uuid=basis_uuid).first()
    if basis is None:
        raise exceptions.ValidationError(
            {"basis": [_("That consent or legal basis is not in force.")]}
        )
    return basis


class ReferralListView(APIView):
    """Referrals your organisation received and sent; sending a new one."""

    policy_action = "referral.inbox"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="referrals_list",
        summary="Referrals received and sent (masked previews)",
        responses={200: ReferralInboxSerializer, **ERRORS},
    )
    def get(self, request):
        received, sent = selectors.referral_inbox(request.membership)
        return Response(
            {
                "received": ReferralSummarySerializer(received, many=True).data,
                "sent": ReferralSummarySerializer(sent, many=True).data,
            }
        )

    @extend_schema(
        operation_id="referrals_create",
        summary="Refer a case's person to a service or an organisation",
        request=ReferralSendSerializer,
        responses={201: ReferralDetailSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = ReferralSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        actor = request.membership
        case = case_selectors.case_for_action(actor, values.pop("case"), "case.refer")
        basis = _basis_in_force(case, values.pop("basis"))
        service_uuid, receiver_uuid = values.pop("service"), values.pop("receiver")
        service = (
            selectors.referral_services(case).filter(uuid=service_uuid).first()
            if service_uuid
            else None
        )
        receiver = (
            case_selectors.share_recipients(actor, case).filter(uuid=receiver_uuid).first()
            if receiver_uuid
            else None
        )
        if (service_uuid and service is None) or (receiver_uuid and receiver is None):
            raise exceptions.ValidationError(
                {"receiver": [_("Choose a service or an organisation to refer to.")]}
            )
        referral = services.referral_send(
            actor=actor, case=case, basis=basis, service=service, receiver=receiver, **values
        )
        detail = selectors.referral_detail(actor, referral.uuid)
        return Response(_detail_data(detail), status=status.HTTP_201_CREATED)


class ReferralDetailView(APIView):
    policy_action = "referral.inbox"

    @extend_schema(
        operation_id="referrals_retrieve",
        summary="One referral: the masked preview, its history, and what you may do",
        responses={200: ReferralDetailSerializer, **ERRORS},
    )
    def get(self, request, referral_uuid):
        return Response(_detail_data(selectors.referral_detail(request.membership, referral_uuid)))


class ReferralActionSerializer(StrictSerializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices, required=False)
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    confirmed = serializers.BooleanField(
        required=False, default=False, help_text="Answer although likely identifiers were flagged."
    )


ACTIONS = {
    "accept": lambda actor, referral, data: services.referral_accept(
        actor=actor, referral=referral
    ),
    "decline": lambda actor, referral, data: services.referral_decline(
        actor=actor, referral=referral, reason=data.get("reason", ""), text=data.get("text", "")
    ),
    "ask": lambda actor, referral, data: services.referral_request_information(
        actor=actor, referral=referral, question=data.get("text", "")
    ),
    "answer": lambda actor, referral, data: services.referral_answer(
        actor=actor,
        referral=referral,
        answer=data.get("text", ""),
        confirmed=data.get("confirmed", False),
    ),
    "withdraw": lambda actor, referral, data: services.referral_withdraw(
        actor=actor, referral=referral, text=data.get("text", "")
    ),
}


class ReferralActionView(APIView):
    """Accept, decline (``reason``, ``text``), ask (``text``), answer (``text``) or withdraw."""

    policy_action = "referral.inbox"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="referrals_act",
        summary="Accept, decline, ask for information, answer or withdraw",
        request=ReferralActionSerializer,
        responses={200: ReferralDetailSerializer, **ERRORS},
    )
    def post(self, request, referral_uuid, action):
        change = ACTIONS.get(action)
        if change is None:
            raise exceptions.NotFound(_("Not found."))
        actor = request.membership
        referral = selectors.referral_for_change(actor, referral_uuid)
        serializer = ReferralActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change(actor, referral, serializer.validated_data)
        return Response(_detail_data(selectors.referral_detail(actor, referral_uuid)))


# --- The person's sharing ---------------------------------------------------------


class ParticipationRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    organisation = OrganisationRefSerializer()
    categories = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    basis = serializers.CharField(source="basis.basis")
    source = serializers.CharField()


class CaseSharingSerializer(serializers.Serializer):
    participations = ParticipationRefSerializer(many=True)
    consents = ConsentSerializer(many=True)
    named_for_secret_location = serializers.IntegerField()


class CaseSharingView(APIView):
    policy_action = "case.list"

    @extend_schema(
        operation_id="cases_sharing",
        summary="Who sees what of a case now, and the consents and legal bases",
        responses={200: CaseSharingSerializer, **ERRORS},
    )
    def get(self, request, case_uuid):
        sharing = selectors.case_sharing(request.membership, case_uuid)
        return Response(CaseSharingSerializer(sharing).data)


# --- The service directory --------------------------------------------------------


class ServiceSerializer(serializers.ModelSerializer):
    provider = OrganisationRefSerializer()

    class Meta:
        model = Service
        fields = [
            "uuid",
            "name",
            "kind",
            "description",
            "provider",
            "country",
            "municipality",
            "serves",
            "languages",
            "hours",
            "accessibility",
            "capacity",
            "free_places",
            "availability_updated_at",
            "phone",
            "email",
            "website",
            "is_public",
        ]


class ServiceFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices, required=False, default="")
    municipality = serializers.CharField(max_length=100, required=False, default="")
    language = serializers.CharField(max_length=3, required=False, default="")
    serves = serializers.ChoiceField(choices=TargetGroup.choices, required=False, default="")
    available_only = serializers.BooleanField(required=False, default=False)


class ServiceInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    description = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    municipality = serializers.CharField(max_length=100)
    serves = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices), max_length=10, default=list
    )
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,3}$"), max_length=30, default=list
    )
    hours = serializers.CharField(max_length=200, required=False, default="")
    accessibility = serializers.CharField(max_length=300, required=False, default="")
    capacity = serializers.IntegerField(
        min_value=0, max_value=CAPACITY_MAX, required=False, allow_null=True, default=None
    )
    phone = serializers.CharField(max_length=50, required=False, default="")
    email = serializers.EmailField(max_length=254, required=False, default="")
    website = serializers.URLField(max_length=200, required=False, default="")
    is_public = serializers.BooleanField(required=False, default=False)


class ServiceListView(APIView):
    parser_classes = [JSONParser]

    @property
    def policy_action(self) -> str:
        return "directory.manage" if self.request.method == "POST" else "directory.view"

    @extend_schema(
        operation_id="services_list",
        summary="Search the service directory",
        parameters=[ServiceFilterSerializer],
        responses={200: ServiceSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        filters = ServiceFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = directory_selectors.service_search(
            request.membership, directory_selectors.ServiceFilters(**filters.validated_data)
        )
        return Response(ServiceSerializer(found, many=True).data)

    @extend_schema(
        operation_id="services_create",
        summary="Add a service of your organisation",
        request=ServiceInputSerializer,
        responses={201: ServiceSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = ServiceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = directory_services.service_create(
            actor=request.membership, **serializer.validated_data
        )
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)


class AvailabilitySerializer(StrictSerializer):
    free_places = serializers.IntegerField()


class ServiceAvailabilityView(APIView):
    policy_action = "directory.manage"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="services_availability",
        summary="Say how many places of your service are free now",
        request=AvailabilitySerializer,
        responses={200: ServiceSerializer, **ERRORS},
    )
    def post(self, request, service_uuid):
        service = directory_selectors.service_for_change(request.membership, service_uuid)
        serializer = AvailabilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = directory_services.service_set_free_places(
            actor=request.membership, service=service, **serializer.validated_data
        )
        return Response(ServiceSerializer(service).data)


# --- Teams and anonymous consultations -------------------------------------------


class TeamSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField()
    area = serializers.CharField()
    convener = OrganisationRefSerializer()
    organisations = OrganisationRefSerializer(many=True, source="organisations.all")


class TeamListView(APIView):
    policy_action = "team.list"

    @extend_schema(
        operation_id="teams_list",
        summary="The multi-agency teams of your country",
        responses={200: TeamSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        return Response(TeamSerializer(selectors.team_list(request.membership), many=True).data)


class TeamMemberSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField(source="user.full_name")
    organisation = OrganisationRefSerializer()


class TeamShareReferralSerializer(serializers.Serializer):
    """A member organisation's answer to a share with its team."""

    uuid = serializers.UUIDField()
    receiver = OrganisationRefSerializer()
    status = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)


class LeftOutSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    reason = serializers.CharField()


class TeamShareSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(source="share.uuid")
    team = serializers.UUIDField(source="share.team.uuid")
    sent_at = serializers.DateTimeField(source="share.sent_at")
    withdrawn_at = serializers.DateTimeField(source="share.withdrawn_at", allow_null=True)
    referrals = TeamShareReferralSerializer(many=True)
    # For the sender: the member organisations that got no referral, and why.
    left_out = LeftOutSerializer(many=True)


class TeamDetailSerializer(TeamSerializer):
    organisations = OrganisationRefSerializer(many=True)
    members = TeamMemberSerializer(many=True)
    may_manage = serializers.BooleanField()
    shares = TeamShareSerializer(many=True)


def _team_data(page: selectors.TeamPage) -> dict:
    team = page.team
    return TeamDetailSerializer(
        {
            "uuid": team.uuid,
            "name": team.name,
            "kind": team.kind,
            "country": team.country,
            "area": team.area,
            "convener": team.convener,
            "organisations": page.organisations,
            "members": page.members,
            "may_manage": page.may_manage,
            "shares": page.shares,
        }
    ).data


class TeamDetailView(APIView):
    policy_action = "team.list"

    @extend_schema(
        operation_id="teams_retrieve",
        summary="A team: its member organisations and people, and the shares with it you see",
        responses={200: TeamDetailSerializer, **ERRORS},
    )
    def get(self, request, team_uuid):
        return Response(_team_data(selectors.team_page(request.membership, team_uuid)))


class TeamMemberInputSerializer(StrictSerializer):
    organisation = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="A member organisation."
    )
    member = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A member person: a membership of a member organisation.",
    )

    def validate(self, data):
        if bool(data["organisation"]) == bool(data["member"]):
            raise serializers.ValidationError(_("Choose one organisation or one person."))
        return data


class _TeamMembersChange(APIView):
    policy_action = "team.manage"
    parser_classes = [JSONParser]

    def _change(self, request, team_uuid, *, adding: bool) -> Response:
        actor = request.membership
        team = selectors.team_for_change(actor, team_uuid)
        serializer = TeamMemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = "organisation" if serializer.validated_data["organisation"] else "member"
        model = Organisation if field == "organisation" else Membership
        target = model.objects.filter(uuid=serializer.validated_data[field]).first()
        if target is None:
            raise exceptions.ValidationError({field: [_("Choose one from the team's country.")]})
        team_services.MEMBER_CHANGES[adding, field](actor=actor, team=team, **{field: target})
        return Response(_team_data(selectors.team_page(actor, team_uuid)))


class TeamMembersView(_TeamMembersChange):
    """The convener's coordinators and organisation admins add a member."""

    @extend_schema(
        operation_id="teams_members_add",
        summary="Add a member organisation or person to a team you convene",
        request=TeamMemberInputSerializer,
        responses={200: TeamDetailSerializer, **ERRORS},
    )
    def post(self, request, team_uuid):
        return self._change(request, team_uuid, adding=True)


class TeamMembersRemoveView(_TeamMembersChange):
    """Removing an organisation removes its people; the convener stays."""

    @extend_schema(
        operation_id="teams_members_remove",
        summary="Remove a member organisation or person from a team you convene",
        request=TeamMemberInputSerializer,
        responses={200: TeamDetailSerializer, **ERRORS},
    )
    def post(self, request, team_uuid):
        return self._change(request, team_uuid, adding=False)


class TeamShareSendSerializer(_ReferralRequestSerializer):
    team = serializers.UUIDField(help_text="A team of the case's country.")


class TeamShareListView(APIView):
    policy_action = "referral.inbox"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="team_shares_create",
        summary="Share a case with a team: a referral to each member organisation the basis allows",
        request=TeamShareSendSerializer,
        responses={201: TeamShareSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = TeamShareSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        actor = request.membership
        case = case_selectors.case_for_action(actor, values.pop("case"), "case.refer")
        basis = _basis_in_force(case, values.pop("basis"))
        team = selectors.team_list_for_case(actor, case).filter(uuid=values.pop("team")).first()
        if team is None:
            raise exceptions.ValidationError({"team": [_("Choose a team of the case's country.")]})
        share = services.team_share_send(actor=actor, case=case, team=team, basis=basis, **values)
        detail = selectors.team_share_detail(actor, share.uuid)
        return Response(TeamShareSerializer(detail).data, status=status.HTTP_201_CREATED)


class TeamShareDetailView(APIView):
    policy_action = "referral.inbox"

    @extend_schema(
        operation_id="team_shares_retrieve",
        summary="A share with a team and the member organisations' answers you may see",
        responses={200: TeamShareSerializer, **ERRORS},
    )
    def get(self, request, share_uuid):
        detail = selectors.team_share_detail(request.membership, share_uuid)
        return Response(TeamShareSerializer(detail).data)


class TeamShareWithdrawSerializer(StrictSerializer):
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class TeamShareWithdrawView(APIView):
    policy_action = "referral.inbox"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="team_shares_withdraw",
        summary="Withdraw a share with a team: its open referrals are withdrawn",
        request=TeamShareWithdrawSerializer,
        responses={200: TeamShareSerializer, **ERRORS},
    )
    def post(self, request, share_uuid):
        actor = request.membership
        share = selectors.team_share_for_change(actor, share_uuid)
        serializer = TeamShareWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.team_share_withdraw(actor=actor, share=share, **serializer.validated_data)
        return Response(TeamShareSerializer(selectors.team_share_detail(actor, share_uuid)).data)


class ConsultationInputSerializer(StrictSerializer):
    team = serializers.UUIDField()
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=TEXT_MAX)
    confirmed = serializers.BooleanField(
        required=False, default=False, help_text="Send although likely identifiers were flagged."
    )


class ReplyInputSerializer(StrictSerializer):
    body = serializers.CharField(max_length=TEXT_MAX)
    confirmed = serializers.BooleanField(required=False, default=False)


class ConsultationSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    team = serializers.UUIDField(source="team.uuid")
    subject = serializers.CharField()
    organisation = OrganisationRefSerializer()
    created_at = serializers.DateTimeField()


class ConsultationMessageSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    created_at = serializers.DateTimeField()
    body = serializers.CharField()
    flagged = serializers.ListField(child=serializers.CharField())


class ConsultationDetailSerializer(serializers.Serializer):
    consultation = ConsultationSerializer()
    messages = ConsultationMessageSerializer(many=True)


def _flagged(error) -> exceptions.ValidationError:
    """What looked like an identifier, by field; send again with ``confirmed``."""
    labels = [str(LABELS[kind]) for kind in error.kinds]
    return exceptions.ValidationError({"body": labels, "confirmed": [error.messages[0]]})


def _thread_data(consultation, thread) -> dict:
    return ConsultationDetailSerializer(
        {
            "consultation": consultation,
            "messages": [
                {
                    "organisation": message.organisation.name,
                    "created_at": message.created_at,
                    "body": body,
                    "flagged": message.flagged,
                }
                for message, body in thread
            ],
        }
    ).data


class ConsultationListView(APIView):
    policy_action = "consultation.ask"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="consultations_list",
        summary="Consultations you asked, or put to a team that names you",
        responses={200: ConsultationSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        rows = selectors.consultation_list(request.membership)
        return Response(ConsultationSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="consultations_create",
        summary="Ask a team for an anonymous consultation",
        request=ConsultationInputSerializer,
        responses={201: ConsultationDetailSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = ConsultationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        actor = request.membership
        team = selectors.team_detail(actor, values.pop("team"))
        try:
            consultation = team_services.consultation_ask(actor=actor, team=team, **values)
        except team_services.IdentifiersFound as error:
            raise _flagged(error) from error
        consultation, thread = selectors.consultation_detail(actor, consultation.uuid)
        return Response(_thread_data(consultation, thread), status=status.HTTP_201_CREATED)


class ConsultationDetailView(APIView):
    policy_action = "consultation.ask"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="consultations_retrieve",
        summary="A consultation's thread",
        responses={200: ConsultationDetailSerializer, **ERRORS},
    )
    def get(self, request, consultation_uuid):
        consultation, thread = selectors.consultation_detail(request.membership, consultation_uuid)
        return Response(_thread_data(consultation, thread))

    @extend_schema(
        operation_id="consultations_reply",
        summary="Reply in a consultation",
        request=ReplyInputSerializer,
        responses={201: ConsultationDetailSerializer, **ERRORS},
    )
    def post(self, request, consultation_uuid):
        actor = request.membership
        consultation = referral_policy.access_consultation(actor, consultation_uuid)
        serializer = ReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            team_services.consultation_reply(
                actor=actor, consultation=consultation, **serializer.validated_data
            )
        except team_services.IdentifiersFound as error:
            raise _flagged(error) from error
        consultation, thread = selectors.consultation_detail(actor, consultation_uuid)
        return Response(_thread_data(consultation, thread), status=status.HTTP_201_CREATED)


# --- Local situation mapping ------------------------------------------------------


class MappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SituationMapping
        fields = [
            "uuid",
            "country",
            "municipality",
            "mapped_on",
            *mapping.QUESTIONS,
            "exploitation_forms",
            "needed_services",
        ]


class MappingInputSerializer(StrictSerializer):
    municipality = serializers.CharField(max_length=100)
    mapped_on = serializers.DateField()
    exploitation_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices), max_length=20, default=list
    )
    needed_services = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceKind.choices), max_length=20, default=list
    )
    vulnerable_groups = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    locations = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    sectors = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    identifying_actors = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    existing_services = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    gaps = serializers.CharField(max_length=TEXT_MAX, required=False, default="")
    priorities = serializers.CharField(max_length=TEXT_MAX, required=False, default="")


class GapSerializer(serializers.Serializer):
    municipality = serializers.CharField()
    need = serializers.CharField()
    mapped_on = serializers.DateField()


class MappingComparisonSerializer(serializers.Serializer):
    latest = MappingSerializer(many=True)
    gaps = GapSerializer(many=True)


class MappingListView(APIView):
    parser_classes = [JSONParser]

    @property
    def policy_action(self) -> str:
        return "mapping.record" if self.request.method == "POST" else "mapping.view"

    @extend_schema(
        operation_id="mappings_list",
        summary="The latest mapping of each municipality, and the gaps",
        responses={200: MappingComparisonSerializer, **ERRORS},
    )
    def get(self, request):
        actor = request.membership
        return Response(
            MappingComparisonSerializer(
                {"latest": mapping.latest_mappings(actor), "gaps": mapping.gaps(actor)}
            ).data
        )

    @extend_schema(
        operation_id="mappings_create",
        summary="Record a municipality's mapping",
        request=MappingInputSerializer,
        responses={201: MappingSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = MappingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recorded = mapping.mapping_record(actor=request.membership, **serializer.validated_data)
        return Response(MappingSerializer(recorded).data, status=status.HTTP_201_CREATED)


class ServiceHsdsView(APIView):
    """The directory as Open Referral HSDS: the HSDS API's paginated ``/services`` answer."""

    policy_action = "directory.view"

    @extend_schema(
        operation_id="services_hsds",
        summary="The directory in the Open Referral HSDS format",
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request):
        found = directory_selectors.service_search(
            request.membership, directory_selectors.ServiceFilters()
        )
        return Response(hsds.export_services(found))

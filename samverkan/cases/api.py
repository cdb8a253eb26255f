"""REST API for cases: the same services and selectors as the case pages.

The views only translate: JSON in through strict serializers (a field the
client may not set is refused, never silently applied), the service or
selector does the work and asks the policy, and the answer comes back in the
API's one error format. Refusal and absence are the same 404.

Police and prosecution state why they consult a case in the ``X-Purpose``
header (a case reference or a short justification): search terms and
purposes never travel in the URL.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.data import COUNTRIES
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from samverkan.cases import selectors, services, workflow
from samverkan.cases.models import (
    AgeGroup,
    AnonymousNotification,
    CaseNote,
    Category,
    Consent,
    ExploitationForm,
    Sex,
)

NAME_MAX = 200
TEXT_MAX = 10_000
LIST_MAX = 20
PURPOSE_MAX = 500
COUNTRY_CODES = sorted(COUNTRIES)
RECORDABLE_MILESTONES = workflow.RECORDABLE_CHOICES
# Secret locations go to named people only, never through a consent.
CONSENTABLE_CATEGORIES = [
    (value, label)
    for value, label in Category.choices
    if value not in {Category.METADATA, Category.SECRET_LOCATION}
]
CONSENT_MANNERS = [
    (value, label)
    for value, label in Consent.Manner.choices
    if value != Consent.Manner.NOT_APPLICABLE
]


# --- Purpose and errors ---------------------------------------------------------


class PurposeMissing(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "purpose_required"
    default_detail = gettext_lazy(
        "State the purpose of this consultation in the X-Purpose header "
        "(a case reference or a short justification)."
    )


def _purpose(request) -> str:
    """The X-Purpose header. HTTP headers arrive as Latin-1; UTF-8 is recovered."""
    raw = request.headers.get("X-Purpose", "")
    try:
        purpose = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        purpose = raw
    if len(purpose) > PURPOSE_MAX:
        raise exceptions.ValidationError(
            {"X-Purpose": [_("Write at most %(max)d characters.") % {"max": PURPOSE_MAX}]}
        )
    return purpose


def _case_detail(request, case_uuid) -> selectors.CaseDetail:
    try:
        return selectors.case_detail(request.membership, case_uuid, purpose=_purpose(request))
    except selectors.PurposeRequired as error:
        raise PurposeMissing from error


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERRORS = {status_code: ErrorSerializer for status_code in (400, 401, 403, 404)}
PURPOSE_HEADER = OpenApiParameter(
    "X-Purpose",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Why the case is consulted (a case reference or a short justification). "
        "Required of police and prosecution; recorded in the audit log."
    ),
)


# --- Input ----------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, so that nothing a client may not set
    (lead organisation, number, status...) slips in beside the allowed ones."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field is not accepted here.")] for name in unknown}
                )
        return super().to_internal_value(data)


def _text(max_length: int = TEXT_MAX, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


def _countries() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CODES),
        required=False,
        default=list,
        max_length=LIST_MAX,
    )


class IdentitySerializer(StrictSerializer):
    given_names = serializers.CharField(max_length=NAME_MAX)
    family_name = _text(NAME_MAX)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=NAME_MAX),
        required=False,
        default=list,
        max_length=LIST_MAX,
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    estimated_age = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True, default=None
    )
    gender = _text(100)
    citizenships = _countries()
    languages = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=LIST_MAX,
    )
    identity_documents = _text()


class CaseOpenSerializer(StrictSerializer):
    identity = IdentitySerializer()
    sex = serializers.ChoiceField(choices=Sex.choices)
    municipality = _text(100)
    exploitation_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices),
        max_length=len(ExploitationForm.choices),
    )
    countries_of_origin = _countries()
    countries_of_transit = _countries()
    countries_of_exploitation = _countries()
    contact = _text()
    secret_location = _text()
    health = _text()
    immigration = _text()
    exploitation_details = _text()
    social_needs = _text()
    detected_on = serializers.DateField(required=False, allow_null=True, default=None)
    child_protection_reference = _text(NAME_MAX)
    coordination_consent = serializers.ListField(
        child=serializers.ChoiceField(choices=CONSENTABLE_CATEGORIES),
        required=False,
        default=list,
        help_text="The categories the person agreed may go to the competent authority.",
    )
    consent_manner = serializers.ChoiceField(
        choices=CONSENT_MANNERS, required=False, default=Consent.Manner.SIGNED_FORM
    )


class CaseFilterSerializer(serializers.Serializer):
    number = _text(32)
    stage = serializers.ChoiceField(
        choices=workflow.Step.choices, required=False, allow_blank=True, default=""
    )
    exploitation_form = serializers.ChoiceField(
        choices=ExploitationForm.choices, required=False, allow_blank=True, default=""
    )
    municipality = _text(100)
    opened_from = serializers.DateField(required=False, allow_null=True, default=None)
    opened_to = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=[("open", "open"), ("closed", "closed")],
        required=False,
        allow_blank=True,
        default="",
    )
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, default=1)

    def validate(self, attrs):
        start, end = attrs.get("opened_from"), attrs.get("opened_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"opened_to": [_("The end date is before the start date.")]}
            )
        return attrs


class CaseSearchSerializer(StrictSerializer):
    name = _text(NAME_MAX)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, default=1)


class MilestoneInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=RECORDABLE_MILESTONES)
    occurred_on = serializers.DateField()
    evidence = _text()
    competent_authority = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The organisation to notify, for coordination_notified.",
    )


class NoteInputSerializer(StrictSerializer):
    body = serializers.CharField(max_length=TEXT_MAX)
    audience = serializers.ChoiceField(choices=CaseNote.Audience.choices)


class AnonymousIdentitySerializer(StrictSerializer):
    """Only encoded for counting the person once across agencies, then discarded."""

    given_names = _text(NAME_MAX)
    family_name = _text(NAME_MAX)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)


class AnonymousNotificationInputSerializer(StrictSerializer):
    notified_on = serializers.DateField()
    municipality = serializers.CharField(max_length=100)
    sex = serializers.ChoiceField(choices=Sex.choices)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices)
    citizenship = serializers.ChoiceField(
        choices=COUNTRY_CODES, required=False, allow_blank=True, default=""
    )
    exploitation_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices),
        max_length=len(ExploitationForm.choices),
    )
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=AnonymousNotification.Indicator.choices),
        required=False,
        default=list,
        max_length=len(AnonymousNotification.Indicator.choices),
    )
    identity = AnonymousIdentitySerializer(required=False, allow_null=True, default=None)

    def validate_identity(self, value):
        return services.Identity(**value) if value and any(value.values()) else None


# --- Output ---------------------------------------------------------------------

WITHHELD = {"withheld": True}
WITHHELD_SCHEMA = {
    "type": "object",
    "properties": {"withheld": {"type": "boolean", "enum": [True]}},
    "required": ["withheld"],
}
TEXT_OR_WITHHELD = {"oneOf": [{"type": "string", "nullable": True}, WITHHELD_SCHEMA]}


class WithheldSerializer(serializers.Serializer):
    withheld = serializers.BooleanField()


class OrganisationRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class CaseSummarySerializer(serializers.Serializer):
    """Case metadata: what a list shows, and what every visible case shows."""

    uuid = serializers.UUIDField()
    number = serializers.CharField()
    stage = serializers.ChoiceField(choices=workflow.Step.choices)
    identification_status = serializers.ChoiceField(choices=workflow.IdentificationStatus.choices)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, source="person.age_group")
    sex = serializers.ChoiceField(choices=Sex.choices, source="person.sex")
    exploitation_forms = serializers.SerializerMethodField()
    municipality = serializers.CharField()
    lead_organisation = OrganisationRefSerializer()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=ExploitationForm.choices))
    )
    def get_exploitation_forms(self, case) -> list[str]:
        return sorted(row.form for row in case.exploitation_forms.all())


class CasePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CaseSummarySerializer(many=True)


class CaseSearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next_page = serializers.IntegerField(allow_null=True)
    previous_page = serializers.IntegerField(allow_null=True)
    results = CaseSummarySerializer(many=True)


class MilestoneSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=workflow.MilestoneKind.choices)
    step = serializers.ChoiceField(choices=workflow.Step.choices)
    track = serializers.ChoiceField(choices=workflow.Track.choices)
    occurred_on = serializers.DateField()
    recorded_at = serializers.DateTimeField()
    organisation = OrganisationRefSerializer()


class MilestoneViewSerializer(serializers.Serializer):
    """A milestone on the case page: its evidence only where its category shows."""

    uuid = serializers.UUIDField(source="milestone.uuid")
    kind = serializers.ChoiceField(choices=workflow.MilestoneKind.choices, source="milestone.kind")
    step = serializers.ChoiceField(choices=workflow.Step.choices, source="milestone.step")
    track = serializers.ChoiceField(choices=workflow.Track.choices, source="milestone.track")
    occurred_on = serializers.DateField(source="milestone.occurred_on")
    recorded_at = serializers.DateTimeField(source="milestone.recorded_at")
    organisation = OrganisationRefSerializer(source="milestone.organisation")
    recorded_by = serializers.CharField(source="milestone.recorded_by.user.full_name")
    evidence = serializers.SerializerMethodField()

    @extend_schema_field(TEXT_OR_WITHHELD)
    def get_evidence(self, view: selectors.MilestoneView):
        return WITHHELD if view.evidence_withheld else view.evidence


class NoteSerializer(serializers.Serializer):
    """A note and its opened body, given as ``{"note": CaseNote, "body": str}``."""

    uuid = serializers.UUIDField(source="note.uuid")
    organisation = OrganisationRefSerializer(source="note.organisation")
    author = serializers.CharField(source="note.author.user.full_name")
    audience = serializers.ChoiceField(choices=CaseNote.Audience.choices, source="note.audience")
    created_at = serializers.DateTimeField(source="note.created_at")
    body = serializers.CharField()


class DeadlineSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=workflow.DeadlineKind.choices)
    due_on = serializers.DateField()
    completed_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, deadline) -> bool:
        return deadline.completed_at is None and deadline.due_on < timezone.localdate()


class CaseRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    number = serializers.CharField()


class DeadlineListSerializer(DeadlineSerializer):
    case = CaseRefSerializer()


class TrackSerializer(serializers.Serializer):
    """Where one of the parallel tracks stands: its latest milestone, if any."""

    track = serializers.ChoiceField(choices=workflow.Track.choices)
    latest_milestone = serializers.ChoiceField(
        choices=workflow.MilestoneKind.choices, allow_null=True
    )
    occurred_on = serializers.DateField(allow_null=True)


@extend_schema_field(TEXT_OR_WITHHELD)
class SealedTextField(serializers.Field):
    """One sealed category of a ``CaseDetail``: its value if shown, else withheld."""

    def __init__(self, category: str, **kwargs):
        self.category = category
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, detail: selectors.CaseDetail):
        if self.category not in detail.values:
            return WITHHELD
        return detail.values[self.category]


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="IdentityOrWithheld",
        serializers=[IdentitySerializer, WithheldSerializer],
        resource_type_field_name=None,
    )
)
class SealedIdentityField(SealedTextField):
    pass


class CategoriesSerializer(serializers.Serializer):
    identity = SealedIdentityField(Category.IDENTITY)
    contact = SealedTextField(Category.CONTACT)
    secret_location = SealedTextField(Category.SECRET_LOCATION)
    health = SealedTextField(Category.HEALTH)
    immigration = SealedTextField(Category.IMMIGRATION)
    exploitation = SealedTextField(Category.EXPLOITATION)
    social = SealedTextField(Category.SOCIAL)
    legal = SealedTextField(Category.LEGAL)


class CaseMetadataSerializer(CaseSummarySerializer):
    country = serializers.CharField()
    legal_basis = serializers.CharField()
    countries_of_origin = serializers.SerializerMethodField()
    countries_of_transit = serializers.SerializerMethodField()
    countries_of_exploitation = serializers.SerializerMethodField()
    confidential_from_law_enforcement = serializers.BooleanField()
    outcome = serializers.CharField()
    outcome_country = serializers.CharField(source="outcome_country.code", default="")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries_of_origin(self, case) -> list[str]:
        return [country.code for country in case.countries_of_origin]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries_of_transit(self, case) -> list[str]:
        return [country.code for country in case.countries_of_transit]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries_of_exploitation(self, case) -> list[str]:
        return [country.code for country in case.countries_of_exploitation]


class CaseDetailSerializer(serializers.Serializer):
    """One case as the actor may see it, from ``selectors.CaseDetail``.

    Every category's key is present; what the actor may not see is
    ``{"withheld": true}``.
    """

    metadata = CaseMetadataSerializer(source="case")
    categories = CategoriesSerializer(source="*")
    notes = serializers.SerializerMethodField()
    milestones = MilestoneViewSerializer(many=True)
    deadlines = DeadlineSerializer(many=True)
    tracks = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    recordable_milestones = serializers.ListField(
        child=serializers.ChoiceField(choices=workflow.MilestoneKind.choices)
    )

    @extend_schema_field(
        {
            "oneOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/Note"}},
                WITHHELD_SCHEMA,
            ]
        }
    )
    def get_notes(self, detail: selectors.CaseDetail):
        if Category.NOTES in detail.withheld:
            return WITHHELD
        notes = [{"note": note, "body": body} for note, body in detail.notes]
        return NoteSerializer(notes, many=True).data

    @extend_schema_field(TrackSerializer(many=True))
    def get_tracks(self, detail: selectors.CaseDetail) -> list[dict]:
        # Milestones come in date order: the last one seen on a track is its latest.
        latest = {view.milestone.track: view.milestone for view in detail.milestones}
        return [
            {
                "track": track,
                "latest_milestone": latest[track].kind if track in latest else None,
                "occurred_on": latest[track].occurred_on if track in latest else None,
            }
            for track in workflow.Track.values
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, detail: selectors.CaseDetail) -> list[str]:
        return sorted(detail.allowed_actions)


class AnonymousNotificationSerializer(serializers.ModelSerializer):
    exploitation_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationForm.choices)
    )
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=AnonymousNotification.Indicator.choices)
    )
    citizenship = serializers.CharField(source="citizenship.code", default="")

    class Meta:
        model = AnonymousNotification
        fields = [
            "uuid",
            "notified_on",
            "municipality",
            "sex",
            "age_group",
            "citizenship",
            "exploitation_forms",
            "indicators",
            "recorded_at",
        ]


# --- Views ----------------------------------------------------------------------


def _page_link(request, number: int | None) -> str | None:
    if number is None:
        return None
    url = request.build_absolute_uri()
    if number == 1:
        return remove_query_param(url, "page")
    return replace_query_param(url, "page", number)


class CaseListView(APIView):
    """Cases visible to the acting membership; opening a new case."""

    parser_classes = [JSONParser]

    @property
    def policy_action(self) -> str:
        return "case.open" if self.request.method == "POST" else "case.list"

    @extend_schema(
        operation_id="cases_list",
        summary="List the cases you may see (metadata only)",
        parameters=[CaseFilterSerializer],
        responses={200: CasePageSerializer, **ERRORS},
    )
    def get(self, request):
        filters = CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = dict(filters.validated_data)
        # A page past the end is the last page, as on the case list page.
        page_number = values.pop("page")
        page = selectors.case_list(request.membership, selectors.CaseFilters(**values), page_number)
        return Response(
            {
                "count": page.paginator.count,
                "next": _page_link(request, page.next_page_number() if page.has_next() else None),
                "previous": _page_link(
                    request, page.previous_page_number() if page.has_previous() else None
                ),
                "results": CaseSummarySerializer(page.object_list, many=True).data,
            }
        )

    @extend_schema(
        operation_id="cases_create",
        summary="Open a case",
        request=CaseOpenSerializer,
        parameters=[PURPOSE_HEADER],
        responses={201: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = CaseOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        identity = services.Identity(**values.pop("identity"))
        # The answer shows the new case, which for police is a consultation
        # needing a purpose: without one nothing is kept.
        with transaction.atomic():
            case = services.open_case(actor=request.membership, identity=identity, **values)
            detail = _case_detail(request, case.uuid)
        response = Response(CaseDetailSerializer(detail).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-case-detail", kwargs={"case_uuid": case.uuid})
        return response


class CaseSearchView(APIView):
    """Exact search by name and/or date of birth; the terms travel in the body only."""

    policy_action = "case.list"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="cases_search",
        summary="Search cases by exact name or date of birth",
        request=CaseSearchSerializer,
        parameters=[PURPOSE_HEADER],
        responses={200: CaseSearchResultSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = CaseSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            page = selectors.case_search(
                request.membership,
                name=values["name"],
                date_of_birth=values["date_of_birth"],
                purpose=_purpose(request),
                page_number=values["page"],
            )
        except selectors.PurposeRequired as error:
            raise PurposeMissing from error
        return Response(
            {
                "count": page.paginator.count,
                "next_page": page.next_page_number() if page.has_next() else None,
                "previous_page": page.previous_page_number() if page.has_previous() else None,
                "results": CaseSummarySerializer(page.object_list, many=True).data,
            }
        )


class CaseDetailView(APIView):
    policy_action = "case.list"

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case, as far as you may see it",
        parameters=[PURPOSE_HEADER],
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def get(self, request, case_uuid):
        return Response(CaseDetailSerializer(_case_detail(request, case_uuid)).data)


class CaseMilestoneView(APIView):
    policy_action = "case.list"
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Record a milestone of the referral procedure",
        request=MilestoneInputSerializer,
        responses={201: MilestoneSerializer, **ERRORS},
    )
    def post(self, request, case_uuid):
        # Visibility first: an invisible case is a 404 whatever the body says.
        case = selectors.case_for_change(request.membership, case_uuid)
        serializer = MilestoneInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        authority_uuid = values.pop("competent_authority")
        authority = (
            selectors.competent_authorities(case).filter(uuid=authority_uuid).first()
            if authority_uuid
            else None
        )
        milestone = services.record_milestone(
            actor=request.membership, case=case, competent_authority=authority, **values
        )
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class CaseNoteView(APIView):
    policy_action = "case.list"
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Add a note to a case",
        request=NoteInputSerializer,
        responses={201: NoteSerializer, **ERRORS},
    )
    def post(self, request, case_uuid):
        case = selectors.case_for_change(request.membership, case_uuid)
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.add_note(actor=request.membership, case=case, **serializer.validated_data)
        return Response(
            NoteSerializer({"note": note, "body": serializer.validated_data["body"]}).data,
            status=status.HTTP_201_CREATED,
        )


class DeadlineListView(generics.ListAPIView):
    """Open deadlines your organisation is responsible for, due first."""

    policy_action = "deadline.view"
    serializer_class = DeadlineListSerializer

    def get_queryset(self):
        return selectors.deadline_list(self.request.membership)


class AnonymousNotificationListView(generics.ListAPIView):
    """Anonymous notifications your organisation made; recording a new one."""

    serializer_class = AnonymousNotificationSerializer
    parser_classes = [JSONParser]

    @property
    def policy_action(self) -> str:
        if self.request.method == "POST":
            return "anonymous_notification.record"
        return "anonymous_notification.list"

    def get_queryset(self):
        return selectors.anonymous_notification_list(self.request.membership)

    @extend_schema(
        summary="Record an anonymous notification (never a child)",
        request=AnonymousNotificationInputSerializer,
        responses={201: AnonymousNotificationSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = AnonymousNotificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification = services.record_anonymous_notification(
            actor=request.membership, **serializer.validated_data
        )
        return Response(
            AnonymousNotificationSerializer(notification).data, status=status.HTTP_201_CREATED
        )

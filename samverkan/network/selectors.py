"""Reads of the network, each starting from the policy's ``…_visible_to``; a row
outside them is the same 404 as a missing one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from samverkan.audit.services import audit_record
from samverkan.network.models import (
    ActionPlan,
    Activity,
    ContactPerson,
    Document,
    Framework,
    GoodPractice,
    Measure,
    Network,
    Place,
    Response,
    ResponseFile,
    Survey,
)
from samverkan.policy.access import PolicyDenied
from samverkan.policy.network import (
    action_plans_visible_to,
    activities_visible_to,
    networks_visible_to,
    places_visible_to,
    surveys_visible_to,
)


def _one(queryset: QuerySet, **lookup):
    found = queryset.filter(**lookup).first()
    if found is None:
        raise PolicyDenied
    return found


def network_list(*, actor) -> QuerySet[Network]:
    return networks_visible_to(actor)


def network_get(*, actor, uuid) -> Network:
    return _one(networks_visible_to(actor), uuid=uuid)


def place_get(*, actor, uuid) -> Place:
    return _one(places_visible_to(actor).select_related("network"), uuid=uuid)


def contact_get(*, actor, uuid) -> ContactPerson:
    return _one(
        ContactPerson.objects.filter(place__in=places_visible_to(actor)).select_related(
            "place__network"
        ),
        uuid=uuid,
    )


def survey_get(*, actor, uuid) -> Survey:
    return _one(surveys_visible_to(actor).select_related("network"), uuid=uuid)


def survey_responses(*, actor, survey: Survey) -> QuerySet[Response]:
    """Who was asked and where each place stands (not what they answered)."""
    return (
        Response.objects.filter(survey__in=surveys_visible_to(actor), survey=survey)
        .select_related("place")
        .order_by("place__name")
    )


def response_file_get(*, actor, uuid) -> ResponseFile:
    return _one(
        ResponseFile.objects.filter(response__survey__in=surveys_visible_to(actor)),
        uuid=uuid,
    )


def survey_files(*, actor, survey: Survey) -> QuerySet[ResponseFile]:
    return ResponseFile.objects.filter(
        response__survey__in=surveys_visible_to(actor), response__survey=survey
    ).select_related("response__place")


def action_plan_get(*, actor, uuid) -> ActionPlan:
    return _one(action_plans_visible_to(actor).select_related("place__network"), uuid=uuid)


def framework_get(*, actor, uuid) -> Framework:
    frameworks = Framework.objects.filter(network__in=networks_visible_to(actor))
    return _one(frameworks.select_related("network"), uuid=uuid)


def document_get(*, actor, uuid) -> Document:
    from samverkan.network.library import documents_visible_to

    return _one(documents_visible_to(actor), uuid=uuid)


def activity_get(*, actor, uuid) -> Activity:
    return _one(activities_visible_to(actor).select_related("network"), uuid=uuid)


def practice_get(*, actor, uuid) -> GoodPractice:
    from samverkan.network.practices import practices_visible_to

    return _one(practices_visible_to(actor), uuid=uuid)


def measure_get(*, actor, uuid) -> Measure:
    measures = Measure.objects.filter(plan__in=action_plans_visible_to(actor))
    return _one(measures.select_related("plan__place__network"), uuid=uuid)


@transaction.atomic
def place_contacts_read(*, actor, place: Place) -> list[ContactPerson]:
    """The place's contact persons (names and addresses); the reading is audited."""
    contacts = list(place.contacts.filter(is_active=True))
    audit_record(
        action="network.contacts_read",
        actor=actor,
        target=place,
        flags=[f"results:{len(contacts)}"],
    )
    return contacts


@transaction.atomic
def activity_participants_read(*, actor, activity: Activity) -> list:
    """The activity's participants and their reports; the reading is audited."""
    participants = list(activity.participants.all())
    audit_record(
        action="activity.participants_read",
        actor=actor,
        target=activity,
        flags=[f"results:{len(participants)}"],
    )
    return participants


@transaction.atomic
def response_read_by_link(*, link, opened: bool = False) -> Response:
    """The link's own response, for its holder; opening the link and reading the
    answers are audited."""
    response = Response.objects.select_related("survey", "place", "version").get(
        pk=link.response_id
    )
    audit_record(
        action="survey.link_opened" if opened else "survey.response_read",
        target=response,
        reason=f"link {link.uuid}",
    )
    return response

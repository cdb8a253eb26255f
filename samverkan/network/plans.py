"""Action plans and their measures, compared side by side against a framework
of action points so that the gaps show (places as columns, action points as
rows, an empty cell is a gap)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.network.models import ActionPlan, ActionPoint, Framework, Measure, Network, Place
from samverkan.policy import access
from samverkan.policy.network import action_plans_visible_to, places_visible_to

# The action points of the CBSS guidelines for municipalities (STROM, 2016),
# as the seed presentation "Role of cities in addressing trafficking" lists them.
CBSS_MUNICIPAL_GUIDELINES = {
    "name": "CBSS guidelines for municipalities",
    "version": "2016",
    "source": "Council of the Baltic Sea States, Task Force against Trafficking in Human Beings",
    "points": [
        (
            "M1",
            "Mapping",
            "Map the local situation: vulnerable groups, relevant locations, "
            "and who can identify victims; set local priorities on it.",
        ),
        ("I1", "Identification", "Focus on early identification of victims."),
        (
            "I2",
            "Identification",
            "Train professional groups working with migrants and other "
            "vulnerable groups, such as the social and health care sectors.",
        ),
        (
            "I3",
            "Identification",
            "Outreach work and services that support and empower "
            "vulnerable groups, together with NGOs, churches, trade unions and migrants' "
            "own organisations.",
        ),
        (
            "R1",
            "Referral",
            "Map the services available for (potential) victims in the "
            "municipality and who provides them.",
        ),
        (
            "R2",
            "Referral",
            "Assign clear responsibilities to the actors in identification and referral.",
        ),
        (
            "R3",
            "Referral",
            "Unconditional, rights-based assistance also to potential victims "
            "in vulnerable and unprotected situations.",
        ),
        ("P1", "Prevention", "Awareness raising, general and targeted."),
        (
            "P2",
            "Prevention",
            "Widen the target groups of prevention (taxi drivers, librarians, health inspectors).",
        ),
        ("P3", "Prevention", "Ethical criteria and social clauses in public procurement."),
        (
            "C1",
            "Cooperation",
            "Cover trafficking in existing strategies (crime prevention, "
            "social exclusion, violence against women, integration of migrants).",
        ),
        ("C2", "Cooperation", "Multidisciplinary partnerships between authorities and NGOs."),
    ],
}


@transaction.atomic
def framework_load(*, actor: Membership, network: Network, definition: dict) -> Framework:
    """A framework with its action points; an existing version is left as it is."""
    access.require(actor, "action_plan.manage", network)
    framework, created = Framework.objects.get_or_create(
        network=network,
        name=definition["name"],
        version=definition["version"],
        defaults={"source": definition.get("source", "")},
    )
    if created:
        ActionPoint.objects.bulk_create(
            ActionPoint(framework=framework, code=code, theme=theme, text=text, position=index)
            for index, (code, theme, text) in enumerate(definition["points"])
        )
        audit_record(action="network.framework_loaded", actor=actor, target=framework)
    return framework


@transaction.atomic
def action_plan_create(
    *,
    actor: Membership,
    place: Place,
    title: str,
    period_start: int,
    period_end: int,
    adopted_by: str = "",
    link: str = "",
) -> ActionPlan:
    access.require(actor, "action_plan.manage", place)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    plan = ActionPlan(
        place=place,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        adopted_by=adopted_by,
        link=link,
    )
    plan.full_clean()
    plan.save()
    audit_record(action="network.action_plan_created", actor=actor, target=plan)
    return plan


@transaction.atomic
def measure_create(
    *,
    actor: Membership,
    plan: ActionPlan,
    title: str,
    action_points: list[ActionPoint] = (),
    status: str = Measure.Status.PLANNED,
    description: str = "",
    responsible: str = "",
    target_groups: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    budget: str = "",
    indicator: str = "",
) -> Measure:
    access.require(actor, "action_plan.manage", plan)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A measure cannot end before it starts.")})
    network_id = plan.place.network_id
    if any(point.framework.network_id != network_id for point in action_points):
        raise ValidationError({"action_points": _("Choose action points of this network.")})
    measure = Measure(
        plan=plan,
        title=title.strip(),
        status=status,
        description=description,
        responsible=responsible,
        target_groups=target_groups,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        indicator=indicator,
    )
    measure.full_clean()
    measure.save()
    measure.action_points.set(action_points)
    audit_record(action="network.measure_created", actor=actor, target=measure)
    return measure


@dataclass
class Comparison:
    framework: Framework
    places: list[Place]
    # One row per action point: its cells, one per place, each the measures found.
    rows: list[tuple[ActionPoint, list[list[Measure]]]]

    @property
    def gaps(self) -> list[tuple[str, str]]:
        """(action point code, place name) of every empty cell."""
        return [
            (point.code, place.name)
            for point, cells in self.rows
            for place, cell in zip(self.places, cells, strict=True)
            if not cell
        ]


def comparison_build(*, actor: Membership, framework: Framework) -> Comparison:
    """The side-by-side table of one framework over the network's places."""
    access.require(actor, "action_plan.manage", framework)
    places = list(places_visible_to(actor).filter(network_id=framework.network_id))
    measures = (
        Measure.objects.filter(plan__in=action_plans_visible_to(actor))
        .filter(action_points__framework=framework)
        .select_related("plan")
        .prefetch_related("action_points")
        .distinct()
    )
    cells: dict[tuple[int, int], list[Measure]] = {}
    for measure in measures:
        for point in measure.action_points.all():
            cells.setdefault((point.pk, measure.plan.place_id), []).append(measure)
    rows = [
        (point, [cells.get((point.pk, place.pk), []) for place in places])
        for point in framework.points.all()
    ]
    return Comparison(framework=framework, places=places, rows=rows)


def comparison_xlsx(comparison: Comparison) -> bytes:
    """The side-by-side table as a spreadsheet; gaps are marked and shaded."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Side by side")[:31]
    sheet.append([_("Action point"), _("Theme")] + [place.name for place in comparison.places])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    gap_fill = PatternFill("solid", start_color="FFE0E0")
    for point, cells in comparison.rows:
        values = [f"{point.code} {point.text}", point.theme] + [
            "\n".join(f"{m.title} ({m.get_status_display()})" for m in cell) or _("Gap")
            for cell in cells
        ]
        sheet.append(values)
        for column, cell in enumerate(cells, start=3):
            target = sheet.cell(row=sheet.max_row, column=column)
            target.alignment = Alignment(wrap_text=True, vertical="top")
            if not cell:
                target.fill = gap_fill
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Writes of the rapporteur's statistics: requesting a build, running it, exporting.

A build runs in stages (records, linkage, tables) and reports its progress
on its own row as it goes. Its figures are stored and published in one
transaction at the end, so a build that fails publishes nothing and leaves
every earlier build's figures as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.cases.models import Category
from samverkan.policy import access
from samverkan.policy.statistics import external_sources_visible_to
from samverkan.statistics import collection, figures, linking, privacy, sources
from samverkan.statistics.disclosure import check_minimum
from samverkan.statistics.errors import BUILD_FAILED, failure, refusal
from samverkan.statistics.models import ExternalSource, StatisticsRun

logger = logging.getLogger(__name__)

LONGEST_PERIOD_YEARS = 10
LARGEST_MINIMUM_CELL = 100


def check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if end.year - start.year >= LONGEST_PERIOD_YEARS:
        message = _("A period covers at most %(years)s calendar years.")
        raise ValidationError({"period_end": message % {"years": LONGEST_PERIOD_YEARS}})
    if end > timezone.localdate():
        raise ValidationError({"period_end": _("The period cannot end in the future.")})


def check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise ValidationError(
            {"match_threshold": _("The match threshold must be above 0 and at most 1.")}
        )


def check_minimum_cell(minimum: int) -> None:
    try:
        check_minimum(minimum)
    except ValueError:
        minimum = 0
    if not 1 <= minimum <= LARGEST_MINIMUM_CELL:
        raise ValidationError(
            {
                "minimum_cell": _("The smallest published count must be between 1 and %(max)s.")
                % {"max": LARGEST_MINIMUM_CELL}
            }
        )


@transaction.atomic
def statistics_run_request(
    *,
    actor: Membership,
    period_start: date,
    period_end: date,
    minimum_cell: int,
    match_threshold: float,
    epsilon: float | None = None,
    enqueue: bool = True,
) -> StatisticsRun:
    """Queue a build of the figures for a period of the rapporteur's country.

    ``enqueue=False`` leaves it to the caller to run (the command line does).
    """
    from samverkan.statistics.tasks import build_statistics

    access.require(actor, "statistics.build")
    errors: dict[str, list[str]] = {}
    for check, arguments in (
        (check_period, (period_start, period_end)),
        (check_threshold, (match_threshold,)),
        (check_minimum_cell, (minimum_cell,)),
        (privacy.check_epsilon, (epsilon,)),
    ):
        try:
            check(*arguments)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    country = actor.organisation.country
    if not collection.has_records(country, period_start, period_end):
        raise refusal("nothing_registered")
    privacy.check_budget(country, range(period_start.year, period_end.year + 1), epsilon)
    run = StatisticsRun.objects.create(
        country=country,
        period_start=period_start,
        period_end=period_end,
        minimum_cell=minimum_cell,
        match_threshold=match_threshold,
        epsilon=epsilon,
        requested_by=actor,
    )
    audit_record(action="statistics.run_requested", actor=actor, target=run)
    if enqueue:
        transaction.on_commit(lambda: build_statistics.enqueue(run.pk))
    return run


def _report(run: StatisticsRun, stage: str, progress: int) -> None:
    # Outside any transaction of the build: the page sees it at once.
    StatisticsRun.objects.filter(pk=run.pk).update(stage=stage, progress=progress)


def statistics_run_execute(
    run_id: int, *, progress: Callable[[str, int], None] = lambda stage, percent: None
) -> StatisticsRun:
    """Run a queued build to the end: published, or failed with nothing published."""
    run = StatisticsRun.objects.select_related("requested_by__user").get(pk=run_id)
    # Claim it: whoever moves it out of the queue runs it, once.
    claimed = StatisticsRun.objects.filter(pk=run.pk, status=StatisticsRun.Status.QUEUED).update(
        status=StatisticsRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return run

    def step(stage: str, percent: int) -> None:
        _report(run, stage, percent)
        progress(stage, percent)

    try:
        figures_ = _build(run, step)
    except ValidationError as error:
        return _fail(run, *failure(error))
    except Exception as error:
        # The type only: a message could quote a value of a record.
        logger.error(
            "statistics build failed", extra={"run": str(run.uuid), "error": type(error).__name__}
        )
        return _fail(run, BUILD_FAILED, {})
    try:
        run = _publish(run, figures_)
    except ValidationError as error:
        # Another build spent the budget meanwhile: nothing is published.
        return _fail(run, *failure(error))
    progress("published", 100)
    return run


@transaction.atomic
def _publish(run: StatisticsRun, figures_: dict) -> StatisticsRun:
    if run.epsilon is not None:
        privacy.charge(run)
    run = StatisticsRun.objects.select_for_update().get(pk=run.pk)
    run.figures = figures_
    run.status = StatisticsRun.Status.PUBLISHED
    run.progress = 100
    run.stage = "published"
    run.published_at = timezone.now()
    run.save(update_fields=["figures", "status", "progress", "stage", "published_at"])
    # The build read the citizenship in the identities it counted.
    audit_record(
        action="statistics.published",
        actor=run.requested_by,
        target=run,
        categories=[Category.METADATA, Category.IDENTITY],
        reason=_("statistics build"),
    )
    return run


def _build(run: StatisticsRun, step: Callable[[str, int], None]) -> dict:
    start, end = run.period_start, run.period_end
    step("records", 5)
    records = collection.victim_records(run.country, start, end)
    if not records:
        raise refusal("nothing_registered")
    events = collection.events(run.country, start, end)
    step("linkage", 30)
    persons = linking.link(
        records,
        threshold=run.match_threshold,
        progress=lambda fraction: step("linkage", 30 + int(50 * fraction)),
    )
    step("tables", 85)
    return figures.tabulate(
        country=run.country,
        start=start,
        end=end,
        records=records,
        persons=persons,
        events=events,
        minimum=run.minimum_cell,
        epsilon=run.epsilon,
    )


def _fail(run: StatisticsRun, code: str, params: dict) -> StatisticsRun:
    # The code and its parameters, not words: the page says them in its reader's language.
    logger.warning("statistics build failed", extra={"run": str(run.uuid), "code": code})
    with transaction.atomic():
        run = StatisticsRun.objects.select_for_update().get(pk=run.pk)
        run.status = StatisticsRun.Status.FAILED
        run.stage = "failed"
        run.error_code = code
        run.error_params = params
        run.save(update_fields=["status", "stage", "error_code", "error_params"])
        audit_record(action="statistics.failed", actor=run.requested_by, target=run)
    return run


@transaction.atomic
def statistics_export_record(*, actor: Membership, run: StatisticsRun, export_format: str) -> None:
    """An export leaves the platform: the audit log says who took which figures, how."""
    access.require(actor, "statistics.export")
    audit_record(action="statistics.exported", actor=actor, target=run, reason=export_format)


@transaction.atomic
def external_source_upload(*, actor: Membership, name: str, data: bytes) -> ExternalSource:
    """Add an agency's encodings file as a source of the rapporteur's country."""
    access.require(actor, "statistics.source.upload")
    parsed = sources.parse(data)
    others = external_sources_visible_to(actor).only("schema_version", "bits", "key_check")
    sources.check_comparable(parsed, others)
    schema = parsed.encodings.schema
    source = ExternalSource.objects.create(
        country=actor.organisation.country,
        name=name,
        agency_kind=parsed.agency_kind,
        period_start=parsed.period.start,
        period_end=parsed.period.end,
        schema=schema.document,
        schema_version=schema.label,
        bits=schema.length,
        key_check=parsed.encodings.key_check or "",
        record_count=len(parsed.encodings),
        records=sources.rows(parsed),
        uploaded_by=actor,
    )
    audit_record(action="statistics.source_uploaded", actor=actor, target=source)
    return source

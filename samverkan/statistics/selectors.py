"""Reads of the rapporteur's statistics, from what the policy lets the actor see."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from samverkan.accounts.models import Membership
from samverkan.policy.access import PolicyDenied
from samverkan.policy.statistics import external_sources_visible_to, statistics_runs_visible_to
from samverkan.statistics import figures
from samverkan.statistics.models import StatisticsRun


def run_list(actor: Membership):
    return statistics_runs_visible_to(actor).select_related("requested_by__user")


def run_get(actor: Membership, run_uuid) -> StatisticsRun:
    """The same 404 for a build that is missing and one of another country."""
    try:
        return statistics_runs_visible_to(actor).get(uuid=run_uuid)
    except (StatisticsRun.DoesNotExist, ValidationError) as missing:
        raise PolicyDenied from missing


def latest_published(actor: Membership) -> StatisticsRun | None:
    return (
        statistics_runs_visible_to(actor)
        .filter(status=StatisticsRun.Status.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def source_list(actor: Membership):
    return external_sources_visible_to(actor).select_related("uploaded_by__user").defer("records")


def labelled_tables(run: StatisticsRun) -> list[dict]:
    """The stored tables with their titles and column labels in the current language."""
    tables = []
    for table in (run.figures or {}).get("tables", []):
        key = table["key"]
        tables.append(
            {
                **table,
                "title": figures.title(key),
                "labels": [figures.column_label(key, column) for column in table["columns"]],
                "rows_with_cells": list(
                    zip(table["rows"], table["cells"], table["row_totals"], strict=True)
                ),
            }
        )
    return tables

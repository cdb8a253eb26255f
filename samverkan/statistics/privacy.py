"""Differentially private counts (optional, per build) and the privacy budget.

With an epsilon, a build adds discrete Laplace noise (OpenDP) to every cell
of the persons' tables before disclosure control; margins are sums of the
noisy cells and suppression runs on the noisy counts (both post-processing,
free of privacy cost). A person is in exactly one cell of each persons'
table, so adding or removing one person moves the vector of all those cells
by at most the number of tables in L1 distance: the noise scale is that
number over epsilon, and OpenDP's own accounting confirms the loss.

The counts of records and of the referral mechanism's events are not
noised (a person can have any number of events): they are protected by
suppression alone, and the page says so.

Each calendar year of a country has a budget (``SAMVERKAN_STATISTICS_PRIVACY_BUDGET``,
epsilon 1.0 by default). A build spends its epsilon in every year its period
touches, when it publishes; a build that would overspend is refused.
"""

from __future__ import annotations

import opendp.prelude as dp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from samverkan.statistics.disclosure import Table
from samverkan.statistics.errors import refusal

dp.enable_features("contrib")


def yearly_budget() -> float:
    return settings.STATISTICS_PRIVACY_BUDGET


def noisy(tables: list[Table], epsilon: float) -> list[Table]:
    """The tables with discrete Laplace noise on every cell, clamped at zero."""
    sensitivity = len(tables)
    cells = [value for table in tables for row in table.cells for value in row]
    measurement = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)),
        dp.l1_distance(T=int),
        scale=sensitivity / epsilon,
    )
    # OpenDP's accounting, not ours, says what the release costs.
    if measurement.map(sensitivity) > epsilon * (1 + 1e-9):
        raise RuntimeError("The noise does not meet the stated epsilon.")
    released = iter(max(0, value) for value in measurement(cells))
    return [
        Table.of(
            table.rows,
            table.columns,
            [[next(released) for _value in row] for row in table.cells],
        )
        for table in tables
    ]


def check_epsilon(epsilon: float | None) -> None:
    if epsilon is None:
        return
    if not 0 < epsilon <= yearly_budget():
        raise ValidationError(
            {
                "epsilon": _("Epsilon must be above 0 and at most the yearly budget, %(budget)s.")
                % {"budget": yearly_budget()}
            }
        )


def spent(country: str, year: int, *, exclude_run=None) -> float:
    from samverkan.statistics.models import PrivacySpending

    rows = PrivacySpending.objects.filter(country=country, year=year)
    if exclude_run is not None:
        rows = rows.exclude(run=exclude_run)
    return rows.aggregate(total=Sum("epsilon"))["total"] or 0.0


def check_budget(country: str, years: range, epsilon: float | None) -> None:
    """Refuse a build whose epsilon the budget of one of its years cannot pay."""
    if epsilon is None:
        return
    for year in years:
        left = yearly_budget() - spent(country, year)
        if epsilon > left + 1e-9:
            spent_out = refusal(
                "budget_spent",
                {
                    "year": year,
                    "left": round(max(left, 0), 4),
                    "budget": yearly_budget(),
                    "epsilon": epsilon,
                },
            )
            raise ValidationError({"epsilon": spent_out})


def charge(run) -> None:
    """Spend the run's epsilon in each of its years; call inside the publishing transaction."""
    from samverkan.statistics.models import PrivacySpending, StatisticsRun

    years = range(run.period_start.year, run.period_end.year + 1)
    # One lock for the country's budget: concurrent publications queue here.
    list(StatisticsRun.objects.select_for_update().filter(country=run.country).values("pk"))
    check_budget(run.country, years, run.epsilon)
    PrivacySpending.objects.bulk_create(
        PrivacySpending(run=run, country=run.country, year=year, epsilon=run.epsilon)
        for year in years
    )

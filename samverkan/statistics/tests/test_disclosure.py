"""Disclosure control, attacked: a reader who knows every published figure of
a table (or of linked tables) tries to work out each suppressed one by linear
programming, and must never pin one down."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from samverkan.statistics.disclosure import Table, suppress, suppress_linked


def published_grid(result):
    grid = [[*row, total] for row, total in zip(result.cells, result.row_totals, strict=True)]
    grid.append([*result.column_totals, result.total])
    return grid


def attack(results):
    """The smallest and largest value each withheld figure can take, given the rest.

    Linked tables share their row totals: one unknown each, across the tables.
    """
    unknowns: dict[tuple, int] = {}

    def key(t, i, j, width):
        return ("row-total", i) if j == width and len(results) > 1 else (t, i, j)

    grids = [published_grid(result) for result in results]
    for t, grid in enumerate(grids):
        width = len(grid[0]) - 1
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if value is None:
                    unknowns.setdefault(key(t, i, j, width), len(unknowns))
    equations, constants = [], []
    for t, grid in enumerate(grids):
        height, width = len(grid) - 1, len(grid[0]) - 1
        lines = [[(i, j) for j in range(width + 1)] for i in range(height + 1)]
        lines += [[(i, j) for i in range(height + 1)] for j in range(width + 1)]
        for line in lines:
            coefficients, constant = np.zeros(len(unknowns)), 0.0
            for position, (i, j) in enumerate(line):
                sign = -1.0 if position == len(line) - 1 else 1.0  # the line's total
                if grid[i][j] is None:
                    coefficients[unknowns[key(t, i, j, width)]] += sign
                else:
                    constant -= sign * grid[i][j]
            equations.append(coefficients)
            constants.append(constant)
    ranges = {}
    for name, index in unknowns.items():
        objective = np.zeros(len(unknowns))
        objective[index] = 1.0
        low = linprog(objective, A_eq=equations, b_eq=constants, bounds=(0, None))
        high = linprog(-objective, A_eq=equations, b_eq=constants, bounds=(0, None))
        assert low.status == 0 and high.status in {0, 3}  # 3: no upper bound at all
        ranges[name] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return ranges


counts = st.one_of(st.integers(0, 6), st.integers(0, 60))


@st.composite
def tables(draw, rows=None):
    height = rows or draw(st.integers(1, 5))
    width = draw(st.integers(1, 5))
    cells = [[draw(counts) for _ in range(width)] for _ in range(height)]
    return Table.of([f"r{i}" for i in range(height)], [f"c{j}" for j in range(width)], cells)


def assert_published_are_safe(result, minimum):
    for row in published_grid(result):
        for value in row:
            assert value is None or value == 0 or value >= minimum


@settings(max_examples=300, deadline=None)
@given(table=tables(), minimum=st.integers(2, 10))
def test_no_suppressed_figure_is_recoverable_from_the_margins(table, minimum):
    result = suppress(table, minimum)
    assert_published_are_safe(result, minimum)
    for low, high in attack([result]).values():
        assert high - low >= 1 - 1e-6


@settings(max_examples=150, deadline=None)
@given(data=st.data(), minimum=st.integers(2, 10))
def test_linked_tables_reveal_nothing_together(data, minimum):
    """Breakdowns of the same persons by year share their year totals."""
    first = data.draw(tables())
    height = len(first.rows)
    totals = [sum(row) for row in first.cells]
    # A second breakdown of the same yearly totals: split each total in two.
    cuts = [data.draw(st.integers(0, total)) for total in totals]
    second = Table.of(
        first.rows,
        ["a", "b"],
        [[cut, total - cut] for cut, total in zip(cuts, totals, strict=True)],
    )
    results = suppress_linked([first, second], minimum)
    for result in results:
        assert_published_are_safe(result, minimum)
    assert results[0].row_totals == results[1].row_totals
    for low, high in attack(results).values():
        assert high - low >= 1 - 1e-6
    assert height == len(results[1].rows)


def test_a_small_cell_takes_a_second_one_with_it_and_large_ones_stay():
    table = Table.of(["2025"], ["female", "male", "unknown"], [[40, 3, 12]])
    result = suppress(table, 5)
    assert result.cells == ((40, None, None),)
    assert result.row_totals == (55,)
    assert result.column_totals == (40, None, None)
    assert result.total == 55


def test_zeros_are_published_and_a_table_without_small_cells_is_unchanged():
    table = Table.of(["2024", "2025"], ["sexual", "labour"], [[0, 9], [14, 6]])
    result = suppress(table, 5)
    assert result.cells == ((0, 9), (14, 6))
    assert result.total == 29
    assert result.suppressed_count == 0


def test_a_total_below_the_minimum_is_withheld_with_its_cells():
    table = Table.of(["2025"], ["female", "male"], [[2, 0]])
    result = suppress(table, 5)
    assert result.cells == ((None, 0),)
    assert result.row_totals == (None,)
    assert result.total is None


@pytest.mark.parametrize("minimum", [0, -1, 2.5, True])
def test_the_minimum_must_be_a_whole_number_of_at_least_one(minimum):
    with pytest.raises(ValueError):
        suppress(Table.of(["a"], ["b"], [[1]]), minimum)

"""Disclosure control: small cells suppressed so that no published figure, and
no sum of published figures, reveals them.

A table of counts is published with its row totals, column totals and grand
total. Seen with its margins, it is a closed table: every row and every
column of the table-with-margins sums to zero once the total is subtracted.
An entry of it (cell or margin) is then a line between its row and its
column, and a reader who knows the published entries can work out a
suppressed one exactly when it is a bridge among the suppressed lines (it
lies on no cycle of them). On a cycle of suppressed entries that are all at
least one, adding and removing one around the cycle gives another table with
the same published figures, so none of them is recoverable.

``suppress`` therefore

1. suppresses every entry (cell or margin) between 1 and ``minimum - 1``
   (primary suppression; zeros are published: the European data collection
   publishes them, and a zero is not a person);
2. adds secondary suppressions, always the smallest positive entry that
   does the job, until no row or column holds exactly one suppressed entry
   and no suppressed entry is a bridge;
3. withholds the whole table if that cannot be reached with positive
   entries alone (a table of nearly all zeros).

Tables that share margins (the year totals of several breakdowns) are
suppressed together by ``suppress_linked``: an entry suppressed in one is
suppressed in all, until nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_MINIMUM = 5


@dataclass(frozen=True)
class Table:
    """Counts by row and column, with the margins they imply."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, rows: Sequence[str], columns: Sequence[str], cells) -> Table:
        table = cls(tuple(rows), tuple(columns), tuple(tuple(int(v) for v in r) for r in cells))
        if len(table.cells) != len(table.rows) or any(
            len(row) != len(table.columns) for row in table.cells
        ):
            raise ValueError("The cells do not match the rows and columns.")
        if any(value < 0 for row in table.cells for value in row):
            raise ValueError("A count cannot be negative.")
        return table

    def extended(self) -> list[list[int]]:
        """The table with its row totals as a last column and column totals as a last row."""
        grid = [[*row, sum(row)] for row in self.cells]
        grid.append([sum(column) for column in zip(*grid, strict=True)] if grid else [0])
        return grid


@dataclass(frozen=True)
class Suppressed:
    """A table after disclosure control: ``None`` where a figure is withheld."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    minimum: int

    @property
    def suppressed_count(self) -> int:
        values = [*self.row_totals, *self.column_totals, self.total]
        values += [value for row in self.cells for value in row]
        return sum(value is None for value in values)


Position = tuple[int, int]


def _lines(height: int, width: int) -> list[list[Position]]:
    rows = [[(i, j) for j in range(width)] for i in range(height)]
    columns = [[(i, j) for i in range(height)] for j in range(width)]
    return rows + columns


def bridges(hidden: set[Position]) -> set[Position]:
    """The hidden entries that lie on no cycle of hidden entries (rows and columns as nodes)."""
    graph: dict[tuple[str, int], list[tuple[tuple[str, int], Position]]] = {}
    for i, j in hidden:
        graph.setdefault(("r", i), []).append((("c", j), (i, j)))
        graph.setdefault(("c", j), []).append((("r", i), (i, j)))
    order: dict[tuple[str, int], int] = {}
    low: dict[tuple[str, int], int] = {}
    found: set[Position] = set()
    for root in graph:
        if root in order:
            continue
        # Iterative Tarjan: (node, the entry we came by, the neighbours left to visit).
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(graph[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            step = next(neighbours, None)
            if step is None:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.add(via)
                continue
            neighbour, entry = step
            if entry == via:
                continue
            if neighbour in order:
                low[node] = min(low[node], order[neighbour])
            else:
                order[neighbour] = low[neighbour] = len(order)
                stack.append((neighbour, entry, iter(graph[neighbour])))
    return found


def _side(hidden: set[Position], bridge: Position) -> set[tuple[str, int]]:
    """The nodes still reachable from the bridge's row once the bridge is removed."""
    links: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for i, j in hidden - {bridge}:
        links.setdefault(("r", i), set()).add(("c", j))
        links.setdefault(("c", j), set()).add(("r", i))
    start = ("r", bridge[0])
    seen, todo = {start}, [start]
    while todo:
        for neighbour in links.get(todo.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def _cheapest(grid, hidden: set[Position], candidates) -> Position | None:
    positive = [p for p in candidates if p not in hidden and grid[p[0]][p[1]] > 0]
    return min(positive, key=lambda p: (grid[p[0]][p[1]], p), default=None)


def protect(grid: list[list[int]], hidden: set[Position]) -> set[Position] | None:
    """Grow ``hidden`` until no hidden entry of ``grid`` is recoverable; None if impossible."""
    height, width = len(grid), len(grid[0])
    hidden = set(hidden)
    lines = _lines(height, width)
    while True:
        lonely = next((line for line in lines if len(hidden.intersection(line)) == 1), None)
        if lonely is not None:
            choice = _cheapest(grid, hidden, lonely)
        else:
            found = sorted(bridges(hidden))
            if not found:
                break
            side = _side(hidden, found[0])
            crossing = [
                (i, j)
                for i in range(height)
                for j in range(width)
                if (("r", i) in side) != (("c", j) in side)
            ]
            choice = _cheapest(grid, hidden, crossing)
        if choice is None:
            return None
        hidden.add(choice)
    if any(grid[i][j] == 0 for i, j in hidden):
        return None
    return hidden


def primary(grid: list[list[int]], minimum: int) -> set[Position]:
    return {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if 0 < value < minimum
    }


def _render(table: Table, grid, hidden: set[Position] | None, minimum: int) -> Suppressed:
    height, width = len(table.rows), len(table.columns)

    def shown(i: int, j: int) -> int | None:
        return None if hidden is None or (i, j) in hidden else grid[i][j]

    return Suppressed(
        rows=table.rows,
        columns=table.columns,
        cells=tuple(tuple(shown(i, j) for j in range(width)) for i in range(height)),
        row_totals=tuple(shown(i, width) for i in range(height)),
        column_totals=tuple(shown(height, j) for j in range(width)),
        total=shown(height, width),
        minimum=minimum,
    )


def check_minimum(minimum: int) -> None:
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise ValueError("The minimum cell size must be a whole number of at least 1.")


def suppress(table: Table, minimum: int = DEFAULT_MINIMUM) -> Suppressed:
    """The table as it may be published (see the module docstring)."""
    return suppress_linked([table], minimum, shared_rows=False)[0]


def suppress_linked(
    tables: Sequence[Table], minimum: int = DEFAULT_MINIMUM, *, shared_rows: bool = True
) -> list[Suppressed]:
    """Suppress tables together whose row totals (and grand total) are the same figures.

    With ``shared_rows`` every table must have the same rows and the same row
    totals (breakdowns of one population by year); a row total or the grand
    total withheld in one table is withheld in all.
    """
    check_minimum(minimum)
    grids = [table.extended() for table in tables]
    margins = {
        (table.rows, tuple(row[-1] for row in grid))
        for table, grid in zip(tables, grids, strict=True)
    }
    if shared_rows and len(margins) > 1:
        raise ValueError("Linked tables must share their rows and row totals.")
    hidden: list[set[Position] | None] = [primary(grid, minimum) for grid in grids]
    while True:
        hidden = [
            None if h is None else protect(grid, h) for grid, h in zip(grids, hidden, strict=True)
        ]
        if any(h is None for h in hidden) or not shared_rows:
            break
        shared = set()
        for grid, h in zip(grids, hidden, strict=True):
            width = len(grid[0]) - 1
            shared |= {i for i, j in h if j == width}
        before = [set(h) for h in hidden]
        hidden = [
            h | {(i, len(grid[0]) - 1) for i in shared}
            for grid, h in zip(grids, hidden, strict=True)
        ]
        if hidden == before:
            break
    if any(h is None for h in hidden):
        # One withheld table withholds its margins, so every linked one goes with it.
        hidden = [None] * len(tables) if shared_rows else hidden
    return [
        _render(table, grid, h, minimum)
        for table, grid, h in zip(tables, grids, hidden, strict=True)
    ]

"""Bloom filters from the bit positions each record sets, for either encoder."""

from __future__ import annotations

import array
from collections.abc import Callable, Iterable, Sequence

import numpy as np

PROGRESS_STEP = 1000


def bit_matrix(
    records: Sequence,
    width: int,
    positions: Callable[[object], Iterable[int]],
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """One boolean row of ``width`` bits per record, set where ``positions(record)``
    says. Positions are gathered first and set in one scatter, which is what
    keeps encoding fast in Python."""
    columns = array.array("q")
    counts = array.array("q")
    for index, record in enumerate(records):
        before = len(columns)
        columns.extend(positions(record))
        counts.append(len(columns) - before)
        if progress and (index + 1) % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress and len(records) % PROGRESS_STEP:
        progress(len(records) % PROGRESS_STEP)
    rows = np.repeat(np.arange(len(records), dtype=np.int64), np.frombuffer(counts, np.int64))
    bits = np.zeros((len(records), width), dtype=bool)
    bits.reshape(-1)[rows * width + np.frombuffer(columns, np.int64)] = True
    return bits

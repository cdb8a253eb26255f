"""Dice similarity of encodings: 2·|a ∧ b| / (|a| + |b|), by popcount on 64-bit words."""

from __future__ import annotations

import numba
import numpy as np

from samverkan.linkage.schema import Schema

# Pairs are compared in slices of this many, to bound memory (16 words × 8 bytes each).
PAIR_CHUNK = 500_000


def popcounts(words: np.ndarray) -> np.ndarray:
    """Set bits per row."""
    return np.bitwise_count(words).sum(axis=1, dtype=np.int32)


def segment_popcounts(words: np.ndarray, schema: Schema) -> np.ndarray:
    """Set bits per row and feature: shape (rows, features)."""
    counts = np.bitwise_count(words)
    starts = [feature.words.start for feature in schema.features]
    return np.add.reduceat(counts, starts, axis=1, dtype=np.int32)


def _dice(common: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 2.0 * common / total, np.nan)


def dice_pairs(a: np.ndarray, b: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dice of ``a[left[k]]`` and ``b[right[k]]`` for every k (NaN when both are empty)."""
    scores = np.empty(len(left), dtype=np.float64)
    count_a, count_b = popcounts(a), popcounts(b)
    for start in range(0, len(left), PAIR_CHUNK):
        i, j = left[start : start + PAIR_CHUNK], right[start : start + PAIR_CHUNK]
        common = np.bitwise_count(a[i] & b[j]).sum(axis=1, dtype=np.int32)
        scores[start : start + len(i)] = _dice(common, count_a[i] + count_b[j])
    return scores


@numba.njit(inline="always")
def _popcount(x):
    # The classic bit-parallel count; LLVM turns it into the popcnt instruction.
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


# Rows of a handled together, and rows of b per tile: a tile of 2,048 encodings
# (256 KB) stays in a core's L2 cache while a block of rows is compared with it,
# instead of every row streaming all of b from memory.
ROW_BLOCK = 64
TILE = 2048


@numba.njit(parallel=True, cache=True)
def _all_pairs_kernel(a, b, count_a, count_b, threshold, found_j, found_score, found_n):
    """Per row of a, the first ``found_j.shape[1]`` rows of b at Dice ≥ threshold, and
    how many there were in all (more than fit means that row is done again)."""
    capacity = found_j.shape[1]
    rows, others, width = a.shape[0], b.shape[0], a.shape[1]
    for block in numba.prange((rows + ROW_BLOCK - 1) // ROW_BLOCK):
        first, last = block * ROW_BLOCK, min(rows, (block + 1) * ROW_BLOCK)
        for i in range(first, last):
            found_n[i] = 0
        for tile in range(0, others, TILE):
            end = min(others, tile + TILE)
            for i in range(first, last):
                n = found_n[i]
                size_a = count_a[i]
                for j in range(tile, end):
                    total = size_a + count_b[j]
                    # Common bits are at most the smaller count: most pairs stop here.
                    if total == 0 or 2.0 * min(size_a, count_b[j]) < threshold * total:
                        continue
                    common = np.uint64(0)
                    for w in range(width):
                        common += _popcount(a[i, w] & b[j, w])
                    if 2.0 * common >= threshold * total:
                        if n < capacity:
                            found_j[i, n] = j
                            found_score[i, n] = 2.0 * common / total
                        n += 1
                found_n[i] = n


def all_pairs(
    a: np.ndarray, b: np.ndarray, threshold: float, *, capacity: int = 32
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair with Dice ≥ ``threshold``: (rows of a, rows of b, scores).

    A compiled popcount kernel (numba, on all cores); chosen by the figures
    in docs/performance.md over NumPy, faiss and anonlink's C++ kernel. Rows
    with more than ``capacity`` matches (a low threshold) are run again with
    room for all of them.
    """
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    count_a, count_b = popcounts(a), popcounts(b)
    found_j = np.zeros((len(a), capacity), dtype=np.int64)
    found_score = np.zeros((len(a), capacity), dtype=np.float64)
    found_n = np.zeros(len(a), dtype=np.int64)
    _all_pairs_kernel(a, b, count_a, count_b, threshold, found_j, found_score, found_n)
    overflow = np.flatnonzero(found_n > capacity)
    if len(overflow):
        left, right, scores = all_pairs(
            a[overflow], b, threshold, capacity=int(found_n[overflow].max())
        )
        found_n[overflow] = 0
        extra = (overflow[left], right, scores)
    else:
        extra = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    kept = np.arange(capacity)[None, :] < found_n[:, None]
    rows = np.broadcast_to(np.arange(len(a))[:, None], kept.shape)
    return (
        np.concatenate([rows[kept], extra[0]]).astype(np.int64),
        np.concatenate([found_j[kept], extra[1]]),
        np.concatenate([found_score[kept], extra[2]]),
    )

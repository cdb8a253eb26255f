"""Dice similarity of encodings: 2·|a ∧ b| / (|a| + |b|), by popcount on 64-bit words."""

from __future__ import annotations

import numpy as np

from samverkan.linkage.schema import Schema

# Pairs are compared in slices of this many, to bound memory (16 words × 8 bytes each).
PAIR_CHUNK = 500_000
# The similarity given to an estimated date of birth whose year agrees.
ESTIMATED_DATE_AGREEMENT = 0.8


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


def field_dice_pairs(
    a: np.ndarray,
    b: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    schema: Schema,
    *,
    swapped: bool = False,
) -> np.ndarray:
    """Dice per feature, shape (pairs, features); NaN where either side is empty.

    With ``swapped``, each feature of ``a`` that ``swapsWith`` another is
    compared with that other feature of ``b`` (a given name against a family
    name), which share their hashing key and length.
    """
    features = schema.features
    index = {feature.identifier: n for n, feature in enumerate(features)}
    counts_a, counts_b = segment_popcounts(a, schema), segment_popcounts(b, schema)
    scores = np.full((len(left), len(features)), np.nan)
    for start in range(0, len(left), PAIR_CHUNK):
        i, j = left[start : start + PAIR_CHUNK], right[start : start + PAIR_CHUNK]
        rows_a, rows_b = a[i], b[j]
        for n, feature in enumerate(features):
            other = feature
            if swapped and feature.swaps_with:
                other = features[index[feature.swaps_with]]
            common = np.bitwise_count(rows_a[:, feature.words] & rows_b[:, other.words]).sum(
                axis=1, dtype=np.int32
            )
            size_a, size_b = counts_a[i, n], counts_b[j, index[other.identifier]]
            present = (size_a > 0) & (size_b > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                dice = 2.0 * common / (size_a + size_b)
                if feature.comparison == "dateParts":
                    # An estimated date encodes its year only (one token): against
                    # a full date, agreement on the year is all it can show.
                    smaller = np.minimum(size_a, size_b)
                    year_only = smaller <= feature.bits_per_token
                    dice = np.where(year_only, ESTIMATED_DATE_AGREEMENT * common / smaller, dice)
                scores[start : start + len(i), n] = np.where(present, dice, np.nan)
    return scores


def all_pairs(
    a: np.ndarray, b: np.ndarray, threshold: float, *, block_rows: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair with Dice ≥ ``threshold``: (rows of a, rows of b, scores).

    The common bits of two encodings are the dot product of their 0/1
    vectors, so blocks of rows are unpacked to float32 and multiplied with
    BLAS (exact: the counts stay far below 2^24).
    """
    bits_a = np.unpackbits(np.ascontiguousarray(a).view(np.uint8), axis=1)
    bits_b = np.unpackbits(np.ascontiguousarray(b).view(np.uint8), axis=1)
    count_a = bits_a.sum(axis=1, dtype=np.int32)
    count_b = bits_b.sum(axis=1, dtype=np.int32)
    lefts, rights, scores = [], [], []
    for start_b in range(0, len(b), 4 * block_rows):
        block_b = bits_b[start_b : start_b + 4 * block_rows].astype(np.float32).T.copy()
        totals_b = count_b[start_b : start_b + 4 * block_rows]
        for start_a in range(0, len(a), block_rows):
            common = bits_a[start_a : start_a + block_rows].astype(np.float32) @ block_b
            total = count_a[start_a : start_a + block_rows, None] + totals_b[None, :]
            i, j = np.nonzero(2.0 * common >= threshold * total)
            pair_total = total[i, j]
            keep = pair_total > 0
            i, j = i[keep], j[keep]
            lefts.append(i + start_a)
            rights.append(j + start_b)
            scores.append(2.0 * common[i, j] / total[i, j])
    if not lefts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return (
        np.concatenate(lefts).astype(np.int64),
        np.concatenate(rights).astype(np.int64),
        np.concatenate(scores).astype(np.float64),
    )

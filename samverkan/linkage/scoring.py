"""Fellegi–Sunter scoring of candidate pairs from per-field Dice similarities.

Each field's Dice similarity falls into an agreement level (close to exact,
one or two errors, some agreement, disagreement; or missing, which counts
neither way). A pair's match weight is the sum over fields of
log2(m/u) of its levels, where m is the probability of the level among true
matches and u among non-matches, plus the prior log-odds of a match. As
Splink does on clear text, u comes from random pairs (almost all of them
non-matches) and m and the prior from expectation–maximisation over the
candidate pairs. The result is a match probability per pair.

Names written in the wrong order are scored both ways (given against family
name), and the better reading counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samverkan.linkage.schema import Schema
from samverkan.linkage.similarity import field_dice_pairs

# Lower bounds of the agreement levels, highest level first, per comparison type.
LEVELS = {
    "ngram": (0.92, 0.75, 0.55),
    "dateParts": (0.95, 0.70, 0.50),
    "exact": (0.9,),
}
# P(level | match): how often a true match's field lands in each level, from
# the error rates of victims' records (a typo, a transliteration, a wrong day).
M_PROBABILITIES = {
    "ngram": (0.86, 0.07, 0.04, 0.03),
    "dateParts": (0.85, 0.09, 0.057, 0.003),
    "exact": (0.97, 0.03),
}
MISSING = -1
RANDOM_PAIRS = 50_000
MIN_ALIKE = 200
EM_ITERATIONS = 25


def agreement_levels(scores: np.ndarray, schema: Schema) -> np.ndarray:
    """Level per pair and field: 0 is the closest agreement, MISSING when a side is empty."""
    levels = np.full(scores.shape, MISSING, dtype=np.int8)
    for n, feature in enumerate(schema.features):
        bounds = LEVELS[feature.comparison]
        column = scores[:, n]
        present = ~np.isnan(column)
        level = np.full(column.shape, len(bounds), dtype=np.int8)
        for rank in range(len(bounds) - 1, -1, -1):
            level[column >= bounds[rank]] = rank
        levels[present, n] = level[present]
    return levels


def pair_levels(
    a: np.ndarray, b: np.ndarray, left: np.ndarray, right: np.ndarray, schema: Schema
) -> np.ndarray:
    """Agreement levels, reading swapped names where that agrees better."""
    straight = field_dice_pairs(a, b, left, right, schema)
    if not any(feature.swaps_with for feature in schema.features):
        return agreement_levels(straight, schema)
    swapped = field_dice_pairs(a, b, left, right, schema, swapped=True)
    names = [n for n, feature in enumerate(schema.features) if feature.swaps_with]
    better = np.nan_to_num(swapped[:, names]).sum(axis=1) > np.nan_to_num(straight[:, names]).sum(
        axis=1
    )
    straight[better] = swapped[better]
    return agreement_levels(straight, schema)


@dataclass(frozen=True)
class FellegiSunterModel:
    """m and u per field and level, and the prior probability of a match."""

    m: tuple[np.ndarray, ...]
    u: tuple[np.ndarray, ...]
    prior: float

    def weights(self, levels: np.ndarray) -> np.ndarray:
        """Match weight (log2 odds) per pair."""
        total = np.full(len(levels), np.log2(self.prior / (1 - self.prior)))
        for n, (m, u) in enumerate(zip(self.m, self.u, strict=True)):
            column = levels[:, n]
            present = column != MISSING
            table = np.log2(m / u)
            total[present] += table[column[present]]
        return total

    def probabilities(self, levels: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp2(-self.weights(levels)))


def _frequencies(levels: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    present = levels != MISSING
    counts = np.bincount(
        levels[present], weights=None if weights is None else weights[present], minlength=size
    )
    # Add-one smoothing: a level never seen is rare, not impossible.
    return (counts + 1.0) / (counts.sum() + size)


def estimate_model(
    candidate_levels: np.ndarray, random_levels: np.ndarray, schema: Schema
) -> FellegiSunterModel:
    """u from random pairs, m from the error rates of records, the prior by EM.

    EM over all of m is not used: among blocked candidates, people who share
    a common name and a citizenship are numerous enough that EM takes them
    for the matches (measured on the synthetic set). With m fixed from the
    error model below, EM of the one remaining parameter, the share of
    matches, is stable.
    """
    sizes = [len(LEVELS[feature.comparison]) + 1 for feature in schema.features]
    # Namesakes are far commoner among people of one citizenship and sex than
    # among random pairs: the other fields' u is taken from random pairs that
    # agree on the exact fields, so that agreement is not counted twice.
    exact = [n for n, feature in enumerate(schema.features) if feature.comparison == "exact"]
    alike = random_levels[(random_levels[:, exact] <= 0).all(axis=1)] if exact else random_levels
    u = tuple(
        _frequencies((random_levels if n in exact or len(alike) < MIN_ALIKE else alike)[:, n], size)
        for n, size in enumerate(sizes)
    )
    m = tuple(np.array(M_PROBABILITIES[feature.comparison]) for feature in schema.features)
    prior = 0.1
    for _ in range(EM_ITERATIONS if len(candidate_levels) else 0):
        share = FellegiSunterModel(m, u, prior).probabilities(candidate_levels)
        prior = float(np.clip(share.mean(), 1e-6, 1 - 1e-6))
    return FellegiSunterModel(m, u, prior)


def random_pair_levels(
    words: np.ndarray, sources: np.ndarray, schema: Schema, *, seed: int = 7
) -> np.ndarray:
    """Agreement levels of random pairs from different sources (nearly all non-matches)."""
    rng = np.random.default_rng(seed)
    n = len(words)
    if n < 2:
        return np.zeros((0, len(schema.features)), dtype=np.int8)
    left = rng.integers(0, n, RANDOM_PAIRS)
    right = rng.integers(0, n, RANDOM_PAIRS)
    keep = sources[left] != sources[right]
    if not keep.any():
        keep = left != right
    return pair_levels(words, words, left[keep], right[keep], schema)

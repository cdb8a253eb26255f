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

A pair's levels over all fields make its *pattern*, one small integer (a
digit per field, 0 for missing): the weight depends on the pattern only, so
EM runs on a histogram of patterns and a run holds two bytes per pair, not
its similarities. The compiled ``pair_pattern`` is the one place where a
pair's levels are decided, for blocked and for listed pairs alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from samverkan.linkage.schema import Schema
from samverkan.linkage.similarity import _popcount, segment_popcounts

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
KINDS = {"ngram": 0, "dateParts": 1, "exact": 2}
MISSING = -1
RANDOM_PAIRS = 50_000
MIN_ALIKE = 200
EM_ITERATIONS = 25
# The similarity given to an estimated date of birth whose year agrees.
ESTIMATED_DATE_AGREEMENT = 0.8


@dataclass(frozen=True, eq=False)
class Layout:
    """A schema's fields as arrays for the compiled kernels."""

    start: np.ndarray  # first 64-bit word of each field
    stop: np.ndarray
    partner: np.ndarray  # the field it swaps with, or -1
    kind: np.ndarray  # KINDS
    per_token: np.ndarray
    bounds: np.ndarray  # (fields, 3) lower bounds of the levels, padded
    bound_count: np.ndarray
    place: np.ndarray  # a field's digit is worth this much in a pattern
    radix: np.ndarray  # digits per field: levels, missing

    @property
    def patterns(self) -> int:
        return int(np.prod(self.radix))

    @property
    def dtype(self):
        return np.uint16 if self.patterns <= 1 << 16 else np.uint32

    @cached_property
    def levels(self) -> np.ndarray:
        """Levels (MISSING or 0…) per pattern and field: shape (patterns, fields)."""
        codes = np.arange(self.patterns)
        return np.stack(
            [
                (codes // place) % radix - 1
                for place, radix in zip(self.place, self.radix, strict=True)
            ],
            axis=1,
        ).astype(np.int8)


def layout(schema: Schema) -> Layout:
    features = schema.features
    index = {feature.identifier: n for n, feature in enumerate(features)}
    bounds = np.full((len(features), 3), np.inf)
    for n, feature in enumerate(features):
        bounds[n, : len(LEVELS[feature.comparison])] = LEVELS[feature.comparison]
    radix = np.array([len(LEVELS[feature.comparison]) + 2 for feature in features], np.int64)
    return Layout(
        start=np.array([feature.words.start for feature in features], np.int64),
        stop=np.array([feature.words.stop for feature in features], np.int64),
        partner=np.array([index.get(feature.swaps_with, -1) for feature in features], np.int64),
        kind=np.array([KINDS[feature.comparison] for feature in features], np.int64),
        per_token=np.array([feature.bits_per_token for feature in features], np.int64),
        bounds=bounds,
        bound_count=np.array([len(LEVELS[feature.comparison]) for feature in features], np.int64),
        place=np.concatenate([[1], np.cumprod(radix)[:-1]]).astype(np.int64),
        radix=radix,
    )


@numba.njit(cache=True)
def _field_dice(a, b, i, j, f, g, counts_a, counts_b, start, stop, kind, per_token):
    """Dice of field f of a[i] and field g of b[j] (same length); NaN when one is empty."""
    size_a, size_b = counts_a[i, f], counts_b[j, g]
    if size_a == 0 or size_b == 0:
        return np.nan
    common = 0
    shift = start[g] - start[f]
    for w in range(start[f], stop[f]):
        common += _popcount(a[i, w] & b[j, w + shift])
    if kind[f] == 1:
        # An estimated date encodes its year only (one token): against a full
        # date, agreement on the year is all it can show.
        smaller = min(size_a, size_b)
        if smaller <= per_token[f]:
            return ESTIMATED_DATE_AGREEMENT * common / smaller
    return 2.0 * common / (size_a + size_b)


@numba.njit(cache=True)
def pair_pattern(a, b, i, j, counts_a, counts_b, shape):
    """The pattern of a[i] and b[j]; ``shape`` is a Layout's arrays as a tuple."""
    start, stop, partner, kind, per_token, bounds, bound_count, place = shape
    straight = 0.0
    swapped = 0.0
    for f in range(len(start)):
        if partner[f] >= 0:
            d = _field_dice(a, b, i, j, f, f, counts_a, counts_b, start, stop, kind, per_token)
            straight += 0.0 if np.isnan(d) else d
            d = _field_dice(
                a, b, i, j, f, partner[f], counts_a, counts_b, start, stop, kind, per_token
            )
            swapped += 0.0 if np.isnan(d) else d
    swap = swapped > straight
    pattern = 0
    for f in range(len(start)):
        g = partner[f] if swap and partner[f] >= 0 else f
        d = _field_dice(a, b, i, j, f, g, counts_a, counts_b, start, stop, kind, per_token)
        if np.isnan(d):
            continue
        level = bound_count[f]
        for rank in range(bound_count[f]):
            if d >= bounds[f, rank]:
                level = rank
                break
        pattern += (level + 1) * place[f]
    return pattern


def kernel_shape(shape: Layout) -> tuple:
    return (
        shape.start,
        shape.stop,
        shape.partner,
        shape.kind,
        shape.per_token,
        shape.bounds,
        shape.bound_count,
        shape.place,
    )


@numba.njit(parallel=True, cache=True)
def _listed_patterns(a, b, left, right, counts_a, counts_b, shape, out):
    for k in numba.prange(len(left)):
        out[k] = pair_pattern(a, b, left[k], right[k], counts_a, counts_b, shape)


def pair_patterns(
    a: np.ndarray, b: np.ndarray, left: np.ndarray, right: np.ndarray, schema: Schema
) -> np.ndarray:
    """The pattern of a[left[k]] and b[right[k]] for every k (two bytes per pair)."""
    shape = layout(schema)
    out = np.zeros(len(left), dtype=np.int32)
    if len(left):
        _listed_patterns(
            np.ascontiguousarray(a),
            np.ascontiguousarray(b),
            np.asarray(left, np.int64),
            np.asarray(right, np.int64),
            segment_popcounts(a, schema),
            segment_popcounts(b, schema),
            kernel_shape(shape),
            out,
        )
    return out.astype(shape.dtype)


def pair_levels(
    a: np.ndarray, b: np.ndarray, left: np.ndarray, right: np.ndarray, schema: Schema
) -> np.ndarray:
    """Agreement levels per pair and field (MISSING when a side is empty)."""
    return layout(schema).levels[pair_patterns(a, b, left, right, schema)]


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


def _frequencies(levels: np.ndarray, size: int) -> np.ndarray:
    counts = np.bincount(levels[levels != MISSING], minlength=size)
    # Add-one smoothing: a level never seen is rare, not impossible.
    return (counts + 1.0) / (counts.sum() + size)


def estimate_model(
    candidate_histogram: np.ndarray, random_levels: np.ndarray, schema: Schema
) -> FellegiSunterModel:
    """u from random pairs, m from the error rates of records, the prior by EM over
    the candidates' pattern histogram.

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
    levels = layout(schema).levels
    seen = np.flatnonzero(candidate_histogram)
    counts = candidate_histogram[seen].astype(np.float64)
    prior = 0.1
    for _ in range(EM_ITERATIONS if counts.sum() else 0):
        share = FellegiSunterModel(m, u, prior).probabilities(levels[seen])
        prior = float(np.clip((share * counts).sum() / counts.sum(), 1e-6, 1 - 1e-6))
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

"""Fellegi–Sunter scoring of candidate pairs from per-field Dice similarities.

Each field's Dice similarity falls into an agreement level (close to exact,
one or two errors, some agreement, disagreement; or missing, which counts
neither way). A pair's match weight is the sum over *factors* of log2(m/u)
of its levels, where m is the probability of the levels among true matches
and u among non-matches, plus the prior log-odds of a match. A factor is one
field, or a field and the one it swaps with (given and family name, scored
jointly: namesakes share both names more often than two independent fields
would). The prior is the probability that two records of different sources,
taken at random, are one person, so a match needs more evidence as the
population grows. As Splink does on clear text, u comes from random pairs
and m and the number of matches from expectation–maximisation; how, and why
so, is told at ``estimate_model``. The result is a match probability per
pair, calibrated on the synthetic set (pairs with a probability near p are
matches about p of the time).

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
from functools import cached_property, reduce
from itertools import product

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
# Enough random pairs to see strangers born the same day (about 1 in 17,500).
RANDOM_PAIRS = 1_000_000
MIN_ALIKE = 200
EM_ITERATIONS = 25
EM_ROUNDS = 3
# Candidates agreeing exactly on the date of birth needed to estimate m by EM.
MIN_ANCHOR = 200
# The error model's m weighs as much as this many pairs in EM: a level no pair
# shows is rare, not impossible.
M_PRIOR_PAIRS = 50
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


@dataclass(frozen=True, eq=False)
class Factor:
    """m and u of one field, or of a field and the one it swaps with, jointly.

    ``m[levels]`` is P(levels | match) with one axis per field; ``u[state, levels]``
    is P(levels | non-match) given which exact fields agree (``state``, a bit per
    exact field; one state only for a factor that is not conditioned)."""

    fields: tuple[int, ...]
    m: np.ndarray
    u: np.ndarray
    conditioned: bool

    def log_ratios(self, levels: np.ndarray, state: np.ndarray) -> np.ndarray:
        """log2(m/u) per pattern; a missing field is summed out, all missing counts 0."""
        own = levels[:, self.fields]
        present = own != MISSING
        state = state if self.conditioned else np.zeros(len(levels), np.int64)
        out = np.zeros(len(levels))
        for mask in product((True, False), repeat=len(self.fields)):
            rows = (present == np.array(mask)).all(axis=1)
            if not any(mask) or not rows.any():
                continue
            missing = tuple(n for n, kept in enumerate(mask) if not kept)
            m = self.m.sum(axis=missing)
            u = self.u.sum(axis=tuple(n + 1 for n in missing))
            cell = tuple(own[rows, n] for n, kept in enumerate(mask) if kept)
            out[rows] = np.log2(m[cell] / u[(state[rows], *cell)])
        return out


@dataclass(frozen=True, eq=False)
class FellegiSunterModel:
    """The factors' m and u and the prior: the probability that two records of
    different sources, taken at random, are one person."""

    factors: tuple[Factor, ...]
    prior: float
    shape: Layout
    exact: tuple[int, ...]

    @cached_property
    def state(self) -> np.ndarray:
        return _state(self.shape.levels, self.exact)

    def log_ratios(self, skip: tuple[int, ...] = ()) -> np.ndarray:
        """Sum of the factors' log2(m/u) per pattern, leaving out factors holding ``skip``."""
        total = np.zeros(self.shape.patterns)
        for factor in self.factors:
            if not set(factor.fields) & set(skip):
                total += factor.log_ratios(self.shape.levels, self.state)
        return total

    def weights(self) -> np.ndarray:
        """Match weight (log2 odds) per pattern."""
        return self.log_ratios() + _logit(self.prior)

    def probabilities(self) -> np.ndarray:
        """Match probability per pattern."""
        return _sigmoid(self.weights())


def _logit(p: float) -> float:
    p = min(max(p, 1e-15), 1 - 1e-15)
    return float(np.log2(p / (1 - p)))


def _sigmoid(weights: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-weights))


def _state(levels: np.ndarray, exact: tuple[int, ...]) -> np.ndarray:
    """Per pattern, a bit for each exact field that agrees."""
    state = np.zeros(len(levels), np.int64)
    for bit, field in enumerate(exact):
        state |= (levels[:, field] == 0).astype(np.int64) << bit
    return state


def _factor_fields(schema: Schema) -> list[tuple[int, ...]]:
    """One factor per field, except that fields which swap with each other share one."""
    index = {feature.identifier: n for n, feature in enumerate(schema.features)}
    factors: list[tuple[int, ...]] = []
    for n, feature in enumerate(schema.features):
        partner = index.get(feature.swaps_with, -1) if feature.swaps_with else -1
        if partner < 0:
            factors.append((n,))
        elif n < partner:
            factors.append((n, partner))
    return factors


def _cells(levels: np.ndarray, fields: tuple[int, ...], sizes: tuple[int, ...]):
    """Patterns with all ``fields`` present, and their cell in a factor's table."""
    present = (levels[:, fields] != MISSING).all(axis=1)
    cells = np.ravel_multi_index(tuple(levels[present][:, f] for f in fields), sizes)
    return present, cells


def _u_tables(levels, weights, fields, sizes, exact, conditioned) -> np.ndarray:
    """u per state of the exact fields, from random pairs weighted by ``weights``
    (each pattern's count times its probability of being a non-match)."""
    present, cells = _cells(levels, fields, sizes)
    state = _state(levels, exact)[present]
    size = int(np.prod(sizes))

    def table(chosen):
        counts = np.bincount(cells[chosen], weights[present][chosen], minlength=size)
        # Add-one smoothing: a level never seen is rare, not impossible.
        return ((counts + 1.0) / (counts.sum() + size)).reshape(sizes), counts.sum()

    everything, _ = table(np.ones(len(cells), np.bool_))
    if not conditioned:
        return everything[None]
    tables = []
    for wanted in range(1 << len(exact)):
        conditional, pairs = table((state & wanted) == wanted)
        tables.append(conditional if pairs >= MIN_ALIKE else everything)
    return np.stack(tables)


def estimate_model(
    candidate_histogram: np.ndarray,
    random_histogram: np.ndarray,
    schema: Schema,
    pairs: int,
) -> FellegiSunterModel:
    """The model from the candidates' pattern histogram (counts, scaled up when
    sampled), the histogram of random pairs' patterns, and the number of pairs
    of records of different sources. Unsupervised: no pair is labelled.

    - u from random pairs, each weighted by its probability of being a
      non-match: the few matches among random pairs (many, among those of one
      sex and citizenship) would make an agreement on the date of birth look
      ten times commoner among strangers than it is. u of names is taken from
      pairs that agree on the same exact fields (sex, citizenship) as the pair
      scored, and jointly for the given and the family name: namesakes of one
      nationality share both names more often than the product of the two.
    - m of every field but the date of birth by EM over the candidates whose
      date of birth agrees exactly: the non-matches among them are strangers
      born the same day, as random as random pairs, so EM there is identified.
      EM over all candidates is not: namesakes are numerous enough that it
      takes "same name and citizenship" for the match class. The error model's
      m (``M_PROBABILITIES``) is the starting point and a prior worth
      ``M_PRIOR_PAIRS`` pairs. m of the date stays the error model's: among
      namesakes nothing but the date tells a match from a stranger.
    - The prior over all pairs of records of two sources, not over the
      candidates: the number of matches found among the candidates by EM,
      divided by the number of pairs. It falls as the population grows, while
      the namesakes among the candidates multiply.
    """
    shape = layout(schema)
    levels = shape.levels
    features = schema.features
    exact = tuple(n for n, feature in enumerate(features) if feature.comparison == "exact")
    dates = tuple(n for n, feature in enumerate(features) if feature.comparison == "dateParts")
    candidates = np.asarray(candidate_histogram, np.float64)
    random_counts = np.asarray(random_histogram, np.float64)
    groups = _factor_fields(schema)
    sizes = {fields: tuple(int(shape.radix[f]) - 1 for f in fields) for fields in groups}
    conditioned = {fields: features[fields[0]].comparison == "ngram" for fields in groups}
    error_m = {
        fields: reduce(
            np.multiply.outer, [np.array(M_PROBABILITIES[features[f].comparison]) for f in fields]
        )
        for fields in groups
    }
    m = dict(error_m)
    pairs = max(int(pairs), 1)
    matches = 0.1 * candidates.sum()
    u: dict[tuple[int, ...], np.ndarray] = {}

    def estimate_u(non_match: np.ndarray) -> None:
        for fields in groups:
            u[fields] = _u_tables(
                levels, non_match, fields, sizes[fields], exact, conditioned[fields]
            )

    def model(prior: float) -> FellegiSunterModel:
        factors = tuple(Factor(f, m[f], u[f], conditioned[f]) for f in groups)
        return FellegiSunterModel(factors, prior, shape, exact)

    estimate_u(random_counts)

    anchor = (levels[:, dates] == 0).all(axis=1) if dates else np.zeros(len(levels), np.bool_)
    anchored = candidates * anchor
    learn = [fields for fields in groups if not set(fields) & set(dates)]
    current = model(matches / pairs)
    for _ in range(EM_ROUNDS if candidates.sum() else 0):
        if anchored.sum() >= MIN_ANCHOR:
            share = 0.5
            for _ in range(EM_ITERATIONS):
                posterior = _sigmoid(current.log_ratios(skip=dates) + _logit(share)) * anchored
                share = float(posterior.sum() / anchored.sum())
                for fields in learn:
                    present, cells = _cells(levels, fields, sizes[fields])
                    counts = np.bincount(
                        cells, posterior[present], minlength=error_m[fields].size
                    ).reshape(sizes[fields])
                    table = counts + M_PRIOR_PAIRS * error_m[fields]
                    m[fields] = table / table.sum()
                current = model(current.prior)
        ratios = current.log_ratios()
        for _ in range(EM_ITERATIONS):
            matches = float((_sigmoid(ratios + _logit(matches / pairs)) * candidates).sum())
        # Random pairs too are matches now and then; weigh those out of u.
        estimate_u(random_counts * (1 - _sigmoid(ratios + _logit(matches / pairs))))
        current = model(matches / pairs)
    return current


def random_pair_histogram(
    words: np.ndarray, sources: np.ndarray, schema: Schema, *, seed: int = 7
) -> np.ndarray:
    """Pattern histogram of random pairs from different sources (nearly all non-matches)."""
    shape = layout(schema)
    rng = np.random.default_rng(seed)
    n = len(words)
    if n < 2:
        return np.zeros(shape.patterns, np.int64)
    left = rng.integers(0, n, RANDOM_PAIRS)
    right = rng.integers(0, n, RANDOM_PAIRS)
    keep = sources[left] != sources[right]
    if not keep.any():
        keep = left != right
    patterns = pair_patterns(words, words, left[keep], right[keep], schema)
    return np.bincount(patterns, minlength=shape.patterns)

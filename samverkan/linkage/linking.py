"""From encodings of several sources to a count of persons.

``match`` compares two sets of encodings (Dice ≥ threshold). ``link_sources``
links any number of sources: candidate pairs by blocking (or all pairs),
each pair scored (Fellegi–Sunter match probability by default, or the
whole-record Dice), and the pairs above the threshold clustered into persons
best pair first, never putting two records of one source into one person and
never growing a person past ``max_cluster_size`` records. That is what keeps
threshold edges from chaining strangers into one giant component. With
Fellegi–Sunter scoring the clustering runs twice: the records the first run
left alone are scored again given that (``_given_first_round``), since the
strangers who compete with a weak true pair have mostly found their own.

The person count comes with an interval: the counts obtained when every
undecided pair is taken as a match (lower end) and as a non-match (upper
end). Clusters that had to refuse a likely pair, or that hold an undecided
pair, go to the review queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numba
import numpy as np

from samverkan.linkage import scoring
from samverkan.linkage.blocking import BlockingConfig, block, blocked_dice, blocked_patterns
from samverkan.linkage.encoding import EncodingSet
from samverkan.linkage.errors import EncodingError, LinkageError, MixedSecretsError
from samverkan.linkage.similarity import all_pairs, dice_pairs

Scoring = Literal["fellegi_sunter", "dice"]
Candidates = Literal["blocked", "all_pairs"]
# With Fellegi–Sunter scoring and all pairs, pairs below this whole-record Dice
# are not scored at all (their fields cannot add up to a match).
DICE_FLOOR = 0.6
# Blocked candidates that EM estimates the prior on (a sample of them beyond this).
EM_SAMPLE_PAIRS = 5_000_000
# Pairs whose probability is between these are undecided (the count's interval).
UNDECIDED_PROBABILITY = (0.1, 0.9)
UNDECIDED_DICE = 0.05
# The secret check needs this many sampled pairs with an exact field on both sides.
SECRET_CHECK_PAIRS = 30
SECRET_CHECK_AGREEMENT = 0.01


def check_threshold(threshold: float) -> float:
    if not isinstance(threshold, int | float) or not 0 < threshold <= 1:
        raise LinkageError("threshold_out_of_range")
    return float(threshold)


@dataclass(frozen=True)
class Matches:
    """Pairs of records of two sources with their similarity."""

    left: np.ndarray
    right: np.ndarray
    scores: np.ndarray
    comparisons: int

    def __len__(self) -> int:
        return len(self.left)


def match(
    a: EncodingSet,
    b: EncodingSet,
    threshold: float = 0.8,
    *,
    candidates: Candidates = "blocked",
    blocking: BlockingConfig | None = None,
) -> Matches:
    """Pairs (i of a, j of b) with whole-record Dice ≥ ``threshold``."""
    threshold = check_threshold(threshold)
    _check_compatible({"a": a, "b": b})
    if candidates == "all_pairs":
        left, right, scores = all_pairs(a.words, b.words, threshold)
        return Matches(left, right, scores, len(a) * len(b))
    words = np.concatenate([a.words, b.words])
    blocks = block(words, a.schema, blocking, np.repeat([0, 1], [len(a), len(b)]))
    left, right, scores, comparisons = blocked_dice(blocks, words, threshold)
    return Matches(left, right - len(a), scores, comparisons)


@dataclass(frozen=True)
class RecordRef:
    """A record by its source and its position in that source's encodings."""

    source: str
    index: int


@dataclass(frozen=True)
class ReviewItem:
    """A person (cluster) a human should look at, and why."""

    person: int
    reason: Literal["conflict", "undecided"]


@dataclass(frozen=True)
class LinkageResult:
    """Persons found across the sources.

    ``assignments[source][i]`` is the person (0 … person_count − 1) of that
    source's record ``i``; ``clusters[p]`` lists person p's records.
    """

    person_count: int
    interval: tuple[int, int]
    clusters: list[tuple[RecordRef, ...]]
    assignments: dict[str, np.ndarray]
    review_queue: list[ReviewItem]
    record_count: int
    comparisons: int
    scoring: str
    threshold: float

    @property
    def records_per_person(self) -> float:
        return self.record_count / self.person_count if self.person_count else 0.0


def _check_compatible(sources: Mapping[str, EncodingSet]) -> None:
    if not sources:
        raise LinkageError("no_sources")
    fingerprints = {encodings.schema.fingerprint for encodings in sources.values()}
    if len(fingerprints) > 1:
        raise EncodingError("sources_different_schemas")
    checks = {encodings.key_check for encodings in sources.values() if encodings.key_check}
    if len(checks) > 1:
        raise MixedSecretsError("key_checks_differ")


def check_same_secret(words: np.ndarray, sources: np.ndarray, schema, names: list[str]) -> None:
    """Detect sources encoded under different secrets from their similarity distribution.

    Under one secret, equal values of an exact field (sex, citizenship) set
    exactly the same bits, so a good share of random cross-source pairs agree
    exactly on such a field. Under different secrets they never do.
    """
    exact = [n for n, feature in enumerate(schema.features) if feature.comparison == "exact"]
    if not exact:
        return
    rng = np.random.default_rng(11)
    for first, second in combinations(range(len(names)), 2):
        rows_a = np.flatnonzero(sources == first)
        rows_b = np.flatnonzero(sources == second)
        if len(rows_a) * len(rows_b) <= 5000:
            left = np.repeat(rows_a, len(rows_b))
            right = np.tile(rows_b, len(rows_a))
        else:
            left = rng.choice(rows_a, 5000)
            right = rng.choice(rows_b, 5000)
        levels = scoring.pair_levels(words, words, left, right, schema)[:, exact]
        present = levels != scoring.MISSING
        if present.sum() < SECRET_CHECK_PAIRS:
            continue
        agreement = (levels[present] == 0).mean()
        if agreement < SECRET_CHECK_AGREEMENT:
            raise MixedSecretsError(
                "encodings_never_agree", {"first": names[first], "second": names[second]}
            )


@numba.njit(cache=True)
def _root(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@numba.njit(cache=True)
def _cluster_kernel(order, left, right, max_size, parent, sizes, masks, conflict):
    for k in order:
        i, j = _root(parent, left[k]), _root(parent, right[k])
        if i == j:
            continue
        shared = False
        for w in range(masks.shape[1]):
            shared |= (masks[i, w] & masks[j, w]) != 0
        if shared or sizes[i] + sizes[j] > max_size:
            conflict[left[k]] = True
            conflict[right[k]] = True
            continue
        if sizes[i] < sizes[j]:
            i, j = j, i
        parent[j] = i
        for w in range(masks.shape[1]):
            masks[i, w] |= masks[j, w]
        sizes[i] += sizes[j]
    for x in range(len(parent)):
        parent[x] = _root(parent, x)


def _cluster(
    n: int,
    sources: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    scores: np.ndarray,
    max_size: int,
) -> tuple[np.ndarray, set[int]]:
    """Greedy best-first clustering; returns root per record and records hit by conflicts."""
    parent = np.arange(n, dtype=np.int64)
    # Each person's sources as a bit set, 64 sources a word.
    masks = np.zeros((n, int(sources.max(initial=0)) // 64 + 1), dtype=np.uint64)
    masks[np.arange(n), sources // 64] = np.left_shift(
        np.uint64(1), (sources % 64).astype(np.uint64)
    )
    conflict = np.zeros(n, dtype=np.bool_)
    _cluster_kernel(
        np.argsort(-scores, kind="stable"),
        np.asarray(left, np.int64),
        np.asarray(right, np.int64),
        max_size,
        parent,
        np.ones(n, dtype=np.int64),
        masks,
        conflict,
    )
    return parent, set(np.flatnonzero(conflict).tolist())


def _given_first_round(
    labels: np.ndarray, left: np.ndarray, right: np.ndarray, scores: np.ndarray, roots: np.ndarray
) -> np.ndarray:
    """Match probabilities again, for the pairs whose two records a first clustering
    left alone.

    A pair's probability is made for a pair taken at random. But a stranger
    who shares a record's name and part of its date of birth is most often
    linked to his own record in the first round, while the two records of a
    true pair with weak evidence (a date of birth wrong or missing) are left
    alone. Among records left alone a pair is therefore a match more often
    than its probability says: its odds are divided by the chance that a
    pair of strangers has both records alone, the product of the shares of
    records left alone in the two sources. Pairs below the clustering's lower
    bound have left the kernel already and stay out. A record left alone may
    have several such pairs, and at most one of them is its match: each pair's
    probability is its odds against those of every other reading of its two
    records (none matched, or either matched elsewhere).
    """
    n = len(roots)
    alone = np.bincount(roots, minlength=n)[roots] == 1
    counts = np.bincount(labels).astype(np.float64)
    share = np.bincount(labels, weights=alone, minlength=len(counts)) / np.maximum(counts, 1)
    both = np.flatnonzero(alone[left] & alone[right])
    i, j, p = left[both], right[both], np.minimum(scores[both], 1 - 1e-12)
    odds = p / (1.0 - p) / (share[labels[i]] * share[labels[j]])
    others = np.bincount(i, odds, minlength=n) + np.bincount(j, odds, minlength=n)
    scores = scores.copy()
    scores[both] = odds / (1.0 + others[i] + others[j] - odds)
    return scores


def link_sources(
    sources: Mapping[str, EncodingSet],
    threshold: float = 0.5,
    *,
    scoring_method: Scoring = "fellegi_sunter",
    candidates: Candidates = "blocked",
    max_cluster_size: int | None = None,
    blocking: BlockingConfig | None = None,
) -> LinkageResult:
    """Link the records of several sources into persons; see the module docstring.

    ``threshold`` is the match probability a pair needs with Fellegi–Sunter
    scoring, or the whole-record Dice coefficient with ``scoring_method="dice"``.
    Raises ``LinkageError`` (and its subclasses) for a threshold outside
    (0, 1], no sources, different schemas or mixed secrets.
    """
    threshold = check_threshold(threshold)
    _check_compatible(sources)
    names = list(sources)
    schema = sources[names[0]].schema
    words = np.concatenate([sources[name].words for name in names])
    labels = np.repeat(np.arange(len(names)), [len(sources[name]) for name in names])
    n = len(words)
    check_same_secret(words, labels, schema, names)

    if scoring_method == "dice":
        low, high = max(threshold - UNDECIDED_DICE, 1e-9), min(threshold + UNDECIDED_DICE, 1.0)
    else:
        low = min(UNDECIDED_PROBABILITY[0], threshold)
        high = max(UNDECIDED_PROBABILITY[1], threshold)

    if scoring_method not in ("dice", "fellegi_sunter"):
        raise LinkageError("unknown_scoring")
    if scoring_method == "fellegi_sunter" and not schema.segmented:
        raise LinkageError("scoring_needs_segments", {"schema": schema.label})
    shape = scoring.layout(schema)

    sizes = np.bincount(labels, minlength=len(names)).astype(np.int64)
    cross_pairs = int((sizes.sum() ** 2 - (sizes**2).sum()) // 2)

    def model_from(histogram: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """Match probability per pattern, the model estimated on these candidates
        (``histogram`` of a sample of them: ``scale`` times as many in all)."""
        random_histogram = scoring.random_pair_histogram(words, labels, schema)
        model = scoring.estimate_model(histogram * scale, random_histogram, schema, cross_pairs)
        return model.probabilities()

    if candidates == "all_pairs":
        floor = low if scoring_method == "dice" else DICE_FLOOR
        parts = []
        offsets = np.concatenate([[0], np.cumsum([len(sources[name]) for name in names])])
        for first, second in combinations(range(len(names)), 2):
            i, j, _ = all_pairs(sources[names[first]].words, sources[names[second]].words, floor)
            parts.append((i + offsets[first], j + offsets[second]))
        left = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        right = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        comparisons = sum(len(sources[a]) * len(sources[b]) for a, b in combinations(names, 2))
        if scoring_method == "dice":
            scores = dice_pairs(words, words, left, right)
        else:
            patterns = scoring.pair_patterns(words, words, left, right, schema)
            scores = model_from(np.bincount(patterns, minlength=shape.patterns))[patterns]
    else:
        # Scored in the blocks, two bytes per candidate at most: only the pairs
        # that may be matches come out of the compiled kernels.
        blocks = block(words, schema, blocking, labels)
        if scoring_method == "dice":
            left, right, scores, comparisons = blocked_dice(blocks, words, low)
        else:
            # The prior is estimated on a fair sample of the candidates, then
            # every candidate is scored in one more pass.
            sample = blocks.sample(EM_SAMPLE_PAIRS)
            histogram = blocked_patterns(blocks, words, schema, chunks=sample)[0]
            table = model_from(histogram, len(blocks.chunks) / max(len(sample), 1))
            accept = table >= low
            expected = histogram[accept].sum() * len(blocks.chunks) / max(len(sample), 1)
            _, left, right, patterns, comparisons = blocked_patterns(
                blocks, words, schema, accept,
                capacity=int(2 * expected / max(len(blocks.chunks), 1)) + 256,
            )  # fmt: skip
            scores = table[patterns]

    keep = scores >= low
    left, right, scores = left[keep], right[keep], scores[keep]
    max_size = max_cluster_size or len(names)

    def cluster_at(bound: float):
        chosen = scores >= bound
        return _cluster(n, labels, left[chosen], right[chosen], scores[chosen], max_size)

    if scoring_method == "fellegi_sunter":
        scores = _given_first_round(labels, left, right, scores, cluster_at(threshold)[0])
    roots, conflicts = cluster_at(threshold)
    persons_low = len(np.unique(cluster_at(low)[0]))
    persons_high = len(np.unique(cluster_at(high)[0]))
    unique_roots, person_of = np.unique(roots, return_inverse=True)
    person_count = len(unique_roots)

    clusters: list[list[RecordRef]] = [[] for _ in range(person_count)]
    local = np.concatenate([np.arange(len(sources[name])) for name in names])
    for record in range(n):
        clusters[person_of[record]].append(RecordRef(names[labels[record]], int(local[record])))
    assignments = {name: person_of[labels == position] for position, name in enumerate(names)}

    review: dict[int, str] = {}
    accepted = (scores >= threshold) & (person_of[left] == person_of[right])
    for k in np.flatnonzero(accepted & (scores < high)):
        review.setdefault(int(person_of[left[k]]), "undecided")
    for record in sorted(conflicts):
        review[int(person_of[record])] = "conflict"

    return LinkageResult(
        person_count=person_count,
        interval=(min(persons_low, person_count), max(persons_high, person_count)),
        clusters=[tuple(cluster) for cluster in clusters],
        assignments=assignments,
        review_queue=[ReviewItem(person, reason) for person, reason in sorted(review.items())],
        record_count=n,
        comparisons=comparisons,
        scoring=scoring_method,
        threshold=threshold,
    )

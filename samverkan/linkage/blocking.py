"""Blocking: the candidate pairs worth comparing, so that linkage scales past all pairs.

Two kinds of blocking keys, and a pair is a candidate when it shares any:

- MinHash bands (locality-sensitive hashing for Jaccard similarity) over the
  bits of the blocking features (names and date of birth): one random
  permutation of those bits cut into bins, the first set bit of each bin as
  its value (one-permutation hashing), and bands of ``rows`` bins as keys.
  Two encodings share a band with probability about J^rows, J being their
  Jaccard similarity, so similar encodings meet in some band and dissimilar
  ones almost never.
- The exact segment of each blocking feature that is not a name (the date of
  birth): records whose names were swapped or misspelt still meet on it.

Keys shared by more than ``max_bucket`` records (an empty field, say) are
skipped: they tell nothing and would bring back all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samverkan.linkage.schema import Schema


@dataclass(frozen=True)
class BlockingConfig:
    """MinHash bins per kind of field, and the bands built from them.

    A *mixed* band takes ``mixed_name_rows`` name bins and ``mixed_other_rows``
    bins of the other blocking fields (the date of birth): a namesake born on
    another day rarely shares one. A *name* band takes ``name_rows`` name bins
    only, for records whose date of birth is wrong or missing.
    """

    name_bins: int = 48
    other_bins: int = 12
    mixed_bands: int = 32
    mixed_name_rows: int = 3
    mixed_other_rows: int = 2
    name_bands: int = 12
    name_rows: int = 6
    max_bucket: int = 500
    seed: int = 20260101


def _pairs_sharing(
    keys: np.ndarray, valid: np.ndarray, max_bucket: int, sources: np.ndarray | None
) -> np.ndarray:
    """Pairs (as i·n + j, i < j) of records with equal keys, skipping oversized buckets
    and, given ``sources``, pairs of one source."""
    n = len(keys)
    rows = np.nonzero(valid)[0]
    if len(rows) < 2:
        return np.zeros(0, dtype=np.int64)
    order = rows[np.argsort(keys[rows], kind="stable")]
    sorted_keys = keys[order]
    boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate([[0], boundaries])
    sizes = np.diff(np.concatenate([starts, [len(order)]]))
    size_of = np.repeat(sizes, sizes)
    usable = (size_of >= 2) & (size_of <= max_bucket)
    order, sorted_keys = order[usable], sorted_keys[usable]
    if len(order) < 2:
        return np.zeros(0, dtype=np.int64)
    found = []
    largest = int(size_of[usable].max())
    for offset in range(1, largest):
        same = sorted_keys[offset:] == sorted_keys[:-offset]
        if not same.any():
            break
        left, right = order[:-offset][same], order[offset:][same]
        if sources is not None:
            across = sources[left] != sources[right]
            left, right = left[across], right[across]
        low, high = np.minimum(left, right), np.maximum(left, right)
        found.append(low.astype(np.int64) * n + high)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _hash_rows(values: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of small integers (FNV-1a style mixing)."""
    key = np.full(len(values), 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for column in values.T:
            key = (key ^ column.astype(np.uint64)) * prime
    return key


def _first_bits(words: np.ndarray, features, bins: int, rng) -> np.ndarray:
    """One-permutation MinHash: per record and bin, the first set bit (-1 when empty)."""
    columns = np.concatenate([np.arange(f.words.start, f.words.stop) for f in features])
    bits = np.unpackbits(np.ascontiguousarray(words[:, columns]).view(np.uint8), axis=1)
    width = max(bits.shape[1] // bins, 1)
    count = bits.shape[1] // width
    grouped = bits[:, rng.permutation(bits.shape[1])[: width * count]].reshape(-1, count, width)
    first = grouped.argmax(axis=2).astype(np.int16)
    first[~grouped.any(axis=2)] = -1
    return first


def candidate_pairs(
    words: np.ndarray,
    schema: Schema,
    config: BlockingConfig | None = None,
    sources: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) among the rows of ``words`` (of different ``sources``, if given)."""
    config = config or BlockingConfig()
    n = len(words)
    rng = np.random.default_rng(config.seed)
    blocking = [feature for feature in schema.features if feature.blocking]
    names = [feature for feature in blocking if feature.comparison == "ngram"]
    others = [feature for feature in blocking if feature.comparison != "ngram"]
    found: list[np.ndarray] = []
    if n < 2 or not blocking:
        names = others = []
    name_bins = _first_bits(words, names, config.name_bins, rng) if names else None
    other_bins = _first_bits(words, others, config.other_bins, rng) if others else None

    def band(parts) -> None:
        values = np.concatenate(parts, axis=1)
        # An empty bin says nothing about similarity; bands with one are skipped.
        valid = (values >= 0).all(axis=1)
        found.append(_pairs_sharing(_hash_rows(values + 1), valid, config.max_bucket, sources))

    def pick(bins: np.ndarray, rows: int) -> np.ndarray:
        return bins[:, rng.choice(bins.shape[1], size=min(rows, bins.shape[1]), replace=False)]

    if name_bins is not None and other_bins is not None:
        for _ in range(config.mixed_bands):
            band(
                [pick(name_bins, config.mixed_name_rows), pick(other_bins, config.mixed_other_rows)]
            )
    if name_bins is not None:
        for _ in range(config.name_bands):
            band([pick(name_bins, config.name_rows)])
    for feature in others:
        segment = words[:, feature.words]
        keys = _hash_rows(segment.view(np.uint32))
        found.append(_pairs_sharing(keys, segment.any(axis=1), config.max_bucket, sources))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    # Sorting and dropping repeats is much faster here than np.unique's hashing.
    pairs = np.sort(np.concatenate(found))
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
    return pairs // n, pairs % n

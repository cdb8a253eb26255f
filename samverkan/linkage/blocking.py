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
    bins: int = 48
    rows: int = 4
    bands: int = 24
    max_bucket: int = 2000
    seed: int = 20260101


def _pairs_sharing(keys: np.ndarray, valid: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs (as i·n + j, i < j) of records with equal keys, skipping oversized buckets."""
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


def candidate_pairs(
    words: np.ndarray, schema: Schema, config: BlockingConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) among the rows of ``words``."""
    config = config or BlockingConfig()
    n = len(words)
    blocking = [feature for feature in schema.features if feature.blocking]
    found: list[np.ndarray] = []
    if blocking and n >= 2:
        columns = np.concatenate([np.arange(f.words.start, f.words.stop) for f in blocking])
        bits = np.unpackbits(np.ascontiguousarray(words[:, columns]).view(np.uint8), axis=1)
        rng = np.random.default_rng(config.seed)
        width = bits.shape[1] // config.bins
        permuted = bits[:, rng.permutation(bits.shape[1])[: width * config.bins]]
        bins = permuted.reshape(n, config.bins, width)
        first = bins.argmax(axis=2).astype(np.int16)
        first[~bins.any(axis=2)] = -1
        del bits, permuted, bins
        for _band in range(config.bands):
            chosen = rng.choice(config.bins, size=config.rows, replace=False)
            values = first[:, chosen]
            # A band of only empty bins says nothing about similarity.
            valid = (values >= 0).any(axis=1)
            found.append(_pairs_sharing(_hash_rows(values + 1), valid, config.max_bucket))
        for feature in blocking:
            if feature.comparison == "ngram":
                continue
            segment = words[:, feature.words]
            valid = segment.any(axis=1)
            keys = _hash_rows(segment.view(np.uint32))
            found.append(_pairs_sharing(keys, valid, config.max_bucket))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    pairs = np.unique(np.concatenate(found))
    return pairs // n, pairs % n

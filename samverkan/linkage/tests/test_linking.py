"""Linkage on synthetic people: quality, no chaining of strangers, bad input."""

import base64
import json
from dataclasses import replace

import numpy as np
import pytest

from samverkan import linkage
from samverkan.linkage.schema import parse_schema
from samverkan.linkage.synthetic import generate_population, linked_pairs, pairwise_quality

SECRET = base64.b64encode(b"r" * 32).decode()
OTHER_SECRET = base64.b64encode(b"q" * 32).decode()


@pytest.fixture(scope="module")
def population():
    return generate_population(2000, corruption=0.1, seed=3)


@pytest.fixture(scope="module")
def encodings(population):
    return {
        source: linkage.encode_records(records, secret=SECRET)
        for source, records in population.records.items()
    }


def test_generator_makes_duplicates_across_agencies_and_corrupts_a_tenth(population):
    records = sum(len(records) for records in population.records.values())
    corrupted = sum(sum(flags) for flags in population.corrupted.values())
    assert records > 1.5 * len(population.people)
    assert 0.08 < corrupted / records < 0.12
    # The NGO writes Cyrillic names the English way, the shelter keeps them.
    shelter = [r["family_name"] for r in population.records["shelter"]]
    assert any("\u0400" <= name[0] <= "\u04ff" for name in shelter)


def test_fellegi_sunter_linkage_reaches_095_precision_and_recall(population, encodings):
    result = linkage.link_sources(encodings, 0.5)
    precision, recall = pairwise_quality(linked_pairs(result), population)
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall
    assert abs(result.person_count - len(population.people)) / len(population.people) < 0.02
    low, high = result.interval
    assert low <= result.person_count <= high


def test_per_field_scoring_beats_one_whole_record_threshold(population, encodings):
    def f1(result):
        precision, recall = pairwise_quality(linked_pairs(result), population)
        return 2 * precision * recall / (precision + recall)

    fellegi_sunter = f1(linkage.link_sources(encodings, 0.5))
    best_dice = max(
        f1(linkage.link_sources(encodings, threshold, scoring_method="dice"))
        for threshold in (0.75, 0.8, 0.85)
    )
    assert fellegi_sunter > best_dice


def test_a_person_never_holds_two_records_of_one_source(encodings):
    result = linkage.link_sources(encodings, 0.05, scoring_method="dice")
    sizes = [len(cluster) for cluster in result.clusters]
    assert max(sizes) <= len(encodings)
    for cluster in result.clusters:
        assert len({record.source for record in cluster}) == len(cluster)
    # At such a low threshold many pairs were refused: those persons await review.
    assert any(item.reason == "conflict" for item in result.review_queue)


def test_assignments_give_every_record_one_person(encodings):
    result = linkage.link_sources(encodings, 0.5)
    assert result.record_count == sum(len(e) for e in encodings.values())
    for source, people in result.assignments.items():
        assert len(people) == len(encodings[source])
        for index in (0, len(people) - 1):
            assert linkage.RecordRef(source, index) in result.clusters[people[index]]
    assert result.records_per_person == pytest.approx(result.record_count / result.person_count)


def test_match_two_sources_all_pairs_and_blocked_agree(encodings):
    police, ngo = encodings["police"], encodings["ngo"]
    everything = linkage.match(police, ngo, 0.8, candidates="all_pairs")
    blocked = linkage.match(police, ngo, 0.8)
    found = set(zip(everything.left.tolist(), everything.right.tolist(), strict=True))
    found_blocked = set(zip(blocked.left.tolist(), blocked.right.tolist(), strict=True))
    assert found_blocked <= found
    assert len(found_blocked) >= 0.99 * len(found)
    assert blocked.comparisons < everything.comparisons / 10


@pytest.mark.parametrize("threshold", [0, -0.1, 1.01, "0.8"])
def test_threshold_outside_zero_one_is_refused(encodings, threshold):
    with pytest.raises(linkage.LinkageError, match="greater than 0 and at most 1"):
        linkage.link_sources(encodings, threshold)
    with pytest.raises(linkage.LinkageError):
        linkage.match(encodings["police"], encodings["ngo"], threshold)


def test_mixed_secrets_are_detected_by_key_check(population, encodings):
    other = linkage.encode_records(population.records["ngo"], secret=OTHER_SECRET)
    with pytest.raises(linkage.MixedSecretsError):
        linkage.link_sources({"police": encodings["police"], "ngo": other})


def test_mixed_secrets_are_detected_by_the_similarity_distribution(population, encodings):
    # Encodings without a key check (made by another tool): the encodings
    # themselves show that they cannot be compared.
    police = replace(encodings["police"], key_check=None)
    other = linkage.encode_records(population.records["ngo"], secret=OTHER_SECRET)
    with pytest.raises(linkage.MixedSecretsError, match="different linkage secrets"):
        linkage.link_sources({"police": police, "ngo": replace(other, key_check=None)})
    same = replace(encodings["ngo"], key_check=None)
    assert linkage.link_sources({"police": police, "ngo": same}).person_count > 0


def test_no_sources_and_other_schemas_are_refused(encodings):
    with pytest.raises(linkage.LinkageError, match="no sources"):
        linkage.link_sources({})
    document = json.loads(json.dumps(linkage.default_schema().document))
    document["features"][3]["hashing"]["strategy"]["bitsPerToken"] = 8
    other = replace(encodings["ngo"], schema=parse_schema(document))
    with pytest.raises(linkage.EncodingError, match="different schemas"):
        linkage.link_sources({"police": encodings["police"], "ngo": other})


def test_one_source_alone_counts_each_record_once(encodings):
    result = linkage.link_sources({"police": encodings["police"]})
    assert result.person_count == len(encodings["police"])
    assert np.array_equal(np.sort(result.assignments["police"]), np.arange(result.person_count))


@pytest.mark.parametrize("threshold", [0.8, 0.3])
def test_all_pairs_finds_exactly_the_pairs_at_or_above_the_threshold(encodings, threshold):
    from samverkan.linkage.similarity import all_pairs, dice_pairs

    a, b = encodings["police"].words[:120], encodings["ngo"].words[:150]
    left = np.repeat(np.arange(len(a)), len(b))
    right = np.tile(np.arange(len(b)), len(a))
    scores = dice_pairs(a, b, left, right)
    expected = {(i, j) for i, j, s in zip(left, right, scores, strict=True) if s >= threshold}

    # Little room per row, so that rows with more matches take the second pass.
    found_left, found_right, found_scores = all_pairs(a, b, threshold, capacity=4)

    assert set(zip(found_left.tolist(), found_right.tolist(), strict=True)) == expected
    assert np.allclose(found_scores, dice_pairs(a, b, found_left, found_right))


def test_a_field_blocked_exactly_makes_candidates_of_records_alike_in_it_alone():
    # Two records with nothing in common but their citizenship: candidates only
    # when the schema blocks on citizenship exactly.
    document = json.loads(json.dumps(linkage.default_schema().document))
    first = {"given_names": "Olena", "family_name": "Shevchenko", "date_of_birth": "1994-03-17",
             "sex": "f", "citizenship": "UA"}  # fmt: skip
    second = {"given_names": "Jurgis", "family_name": "Petrauskas", "date_of_birth": "1961-11-02",
              "sex": "m", "citizenship": "UA"}  # fmt: skip

    def candidates(schema):
        a = linkage.encode_records([first], schema, SECRET)
        b = linkage.encode_records([second], schema, SECRET)
        return linkage.match(a, b, 0.01).comparisons

    assert candidates(parse_schema(document)) == 0
    document["features"][4]["hashing"]["blocking"] = "exact"
    assert candidates(parse_schema(document)) == 1
    document["features"][4]["hashing"]["blocking"] = "sometimes"
    with pytest.raises(linkage.SchemaError, match="true, false or"):
        parse_schema(document)

"""Which records are the same person: the build's one call into record linkage
(``samverkan.linkage``, which sees encodings only, never the secret).

Records are linked in two groups that never meet (see
``samverkan.policy.statistics``): cases kept from law enforcement, and
everything else. Within a group each organisation or upload is one source,
and a person holds at most one record of each source. A record without an
encoding (an anonymous notification, a case whose person has none yet) is a
person of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from samverkan import linkage
from samverkan.linkage.schema import parse_schema
from samverkan.statistics.collection import VictimRecord
from samverkan.statistics.errors import linkage_refusal


@dataclass(frozen=True)
class Persons:
    """A person label per record, and the person count's plausible range."""

    labels: tuple[int, ...]
    low: int
    high: int
    # Were any encodings compared at all? If not, records were counted as persons.
    linked: bool

    @property
    def count(self) -> int:
        return len(set(self.labels))


def _encoding_sets(records: Sequence[VictimRecord], indexes: list[int]):
    """One EncodingSet per source, and for each the record indexes it holds."""
    by_source: dict[str, list[int]] = {}
    for index in indexes:
        by_source.setdefault(records[index].source_key, []).append(index)
    sets, members = {}, {}
    for key, group in by_source.items():
        first = records[group[0]]
        sets[key] = linkage.EncodingSet.from_base64(
            [records[index].encoding for index in group],
            parse_schema(first.schema),
            key_check=first.key_check,
        )
        members[key] = group
    return sets, members


def _link_group(records, group: list[int], threshold: float) -> tuple[dict[int, int], int, int]:
    """Person labels (0…) for the group's records, with the group's person-count range."""
    encoded = [index for index in group if records[index].encoding is not None]
    plain = [index for index in group if records[index].encoding is None]
    labels: dict[int, int] = {}
    low = high = 0
    if encoded:
        try:
            sets, members = _encoding_sets(records, encoded)
            result = linkage.link_sources(sets, threshold)
        except linkage.LinkageError as error:
            # Mixed secrets, another schema, a bad threshold: the build fails saying which.
            raise linkage_refusal(error) from error
        for key, group_indexes in members.items():
            for index, person in zip(group_indexes, result.assignments[key], strict=True):
                labels[index] = int(person)
        low, high = result.interval
    offset = max(labels.values(), default=-1) + 1
    for position, index in enumerate(plain):
        labels[index] = offset + position
    return labels, low + len(plain), high + len(plain)


def link(
    records: Sequence[VictimRecord],
    *,
    threshold: float,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Persons:
    groups = [
        [index for index, record in enumerate(records) if record.kept_from_law_enforcement],
        [index for index, record in enumerate(records) if not record.kept_from_law_enforcement],
    ]
    labels = [0] * len(records)
    low = high = offset = 0
    for done, group in enumerate(groups, start=1):
        group_labels, group_low, group_high = _link_group(records, group, threshold)
        for index, label in group_labels.items():
            labels[index] = offset + label
        offset += max(group_labels.values(), default=-1) + 1
        low += group_low
        high += group_high
        progress(done / len(groups))
    linked = any(record.encoding is not None for record in records)
    return Persons(labels=tuple(labels), low=low, high=high, linked=linked)

"""Which records are the same person: the build's one call into record linkage.

Records are linked in two groups that never meet (see
``samverkan.policy.statistics``): cases kept from law enforcement, and
everything else. A record without an encoding (an anonymous notification
made without identity, a case without a name) is a person of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from samverkan.statistics.collection import VictimRecord


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


def _link_group(records: Sequence[VictimRecord], threshold: float) -> tuple[list[int], int, int]:
    """Labels for one group, with the group's person-count range.

    Until the linkage library is merged (samverkan.linkage), each record is
    its own person: the figures then count records, and say so.
    """
    return list(range(len(records))), len(records), len(records)


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
        group_labels, group_low, group_high = _link_group(
            [records[index] for index in group], threshold
        )
        for index, label in zip(group, group_labels, strict=True):
            labels[index] = offset + label
        offset += len(group)
        low += group_low
        high += group_high
        progress(done / len(groups))
    linked = any(record.encoding is not None for record in records)
    return Persons(labels=tuple(labels), low=low, high=high, linked=linked)

"""The catalogues this instance offers, loaded and checked once per process."""

from __future__ import annotations

from functools import cache

from samverkan.screening.catalogue import Catalogue, load_directory


@cache
def catalogues() -> dict[tuple[str, str], Catalogue]:
    return load_directory()


def get(catalogue_id: str, version: str) -> Catalogue | None:
    return catalogues().get((catalogue_id, version))


def current() -> list[Catalogue]:
    """The newest version of each catalogue, for new screenings."""
    newest: dict[str, Catalogue] = {}
    for catalogue in catalogues().values():
        known = newest.get(catalogue.id)
        if known is None or _version_key(catalogue.version) > _version_key(known.version):
            newest[catalogue.id] = catalogue
    return sorted(newest.values(), key=lambda c: c.id)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))

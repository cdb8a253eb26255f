"""Every user-facing string of Samverkan's catalogue has a Swedish translation,
and the region languages' files hold only the strings of the pages offering them."""

import subprocess
from pathlib import Path

import pytest

from samverkan.directory.help_views import HELP_LANGUAGES
from samverkan.referrals.views import PRINTOUT_LANGUAGES
from samverkan.web.tests.translations import (
    FULL_LANGUAGES,
    help_msgids,
    po_msgids,
    printout_msgids,
)

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_the_swedish_catalogue_is_complete_and_valid():
    result = subprocess.run(  # noqa: S603  (a fixed command on our own file)
        ["/usr/bin/msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip()
    assert "fuzzy" not in statistics
    assert "untranslated" not in statistics
    assert statistics.endswith("translated messages.")


@pytest.mark.parametrize(
    "language", sorted((set(HELP_LANGUAGES) | set(PRINTOUT_LANGUAGES)) - FULL_LANGUAGES)
)
def test_a_region_language_holds_only_the_strings_of_the_pages_offering_it(language):
    # The logged-in application stays in its own languages; a file filled by
    # `makemessages --all` would half-translate it.
    offered = set()
    if language in HELP_LANGUAGES:
        offered |= help_msgids()
    if language in PRINTOUT_LANGUAGES:
        offered |= printout_msgids()
    assert po_msgids(language) - offered == set()

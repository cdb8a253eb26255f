"""Every user-facing string of Samverkan's catalogue has a Swedish translation."""

import subprocess
from pathlib import Path

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

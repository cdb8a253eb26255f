"""Reading templates and catalogues for the completeness tests of the pages that
speak more languages than the application: the public help pages and the
sharing printout. Which msgids each shows, and which a language's file
translates."""

from __future__ import annotations

import ast
import gettext
import io
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation

from samverkan.accounts.models import Country, Organisation
from samverkan.cases.models import Category, LegalBasis, Purpose
from samverkan.directory.models import ServiceKind, TargetGroup

SAMVERKAN = Path(__file__).resolve().parents[2]
HELP_TEMPLATES = sorted((SAMVERKAN / "directory" / "templates" / "directory").glob("help_*.html"))
PRINTOUT_TEMPLATES = [
    SAMVERKAN / "referrals" / "templates" / "referrals" / "case_sharing_printout.html"
]
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
# The application's own languages: their files hold every string of the platform.
FULL_LANGUAGES = {code for code, _ in settings.LANGUAGES}
MISSING = "\0missing"


def _translate_nodes(paths):
    for path in sorted(paths):
        nodelist = engines["django"].from_string(path.read_text()).template.nodelist
        yield from nodelist.get_nodes_by_type(TranslateNode)
        yield from nodelist.get_nodes_by_type(BlockTranslateNode)


def template_msgids(paths) -> set[str]:
    """Every msgid the templates translate, as Django looks it up (a plural by its singular)."""
    msgids = set()
    for node in _translate_nodes(paths):
        if isinstance(node, TranslateNode):
            msgids.add(str(node.filter_expression.var.literal))
        else:
            msgids.add(node.render_token_list(node.singular)[0])
    return msgids


def template_plurals(paths) -> set[tuple[str, str]]:
    """The (singular, plural) msgids of the templates' counted texts."""
    return {
        (node.render_token_list(node.singular)[0], node.render_token_list(node.plural)[0])
        for node in _translate_nodes(paths)
        if isinstance(node, BlockTranslateNode) and node.plural
    }


def choice_labels(*choices) -> set[str]:
    """The English labels of choices, which are their msgids."""
    with translation.override("en"):
        return {str(label) for choice in choices for label in choice.labels}


class _Missing(gettext.NullTranslations):
    def gettext(self, message):
        return MISSING

    def ngettext(self, msgid1, msgid2, n):
        return MISSING


def catalogue(language: str) -> gettext.GNUTranslations:
    """The language's file compiled afresh: fuzzy and empty entries count as missing."""
    assert shutil.which("msgfmt"), "msgfmt (gettext) is needed; script/test installs it"
    compiled = subprocess.run(  # noqa: S603 (msgfmt on our own file)
        ["msgfmt", "--check", "-o", "-", str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    translations = gettext.GNUTranslations(io.BytesIO(compiled))
    translations.add_fallback(_Missing())
    return translations


def untranslated_plurals(translations, plurals) -> list[str]:
    """The singulars of ``plurals`` lacking a form for some count (0 to 199 meets every form).

    msgfmt keeps a plural entry with one empty form, so an empty form counts as missing.
    """
    return sorted(
        singular
        for singular, plural in plurals
        if any(translations.ngettext(singular, plural, n) in {MISSING, ""} for n in range(200))
    )


def po_msgids(language: str) -> set[str]:
    """The msgids a language's file holds, translated or not."""
    text = (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").read_text()
    blocks = re.findall(r'^msgid ("(?:[^"\\]|\\.)*"\n(?:"(?:[^"\\]|\\.)*"\n)*)', text, re.M)
    return {"".join(ast.literal_eval(line) for line in block.splitlines()) for block in blocks} - {
        ""
    }


def help_msgids() -> set[str]:
    """The help pages' texts and the labels they show: service kinds, groups served, countries."""
    return template_msgids(HELP_TEMPLATES) | choice_labels(ServiceKind, TargetGroup, Country)


def printout_msgids() -> set[str]:
    """The printout's texts and the labels it shows: categories, purposes, bases, kinds."""
    return template_msgids(PRINTOUT_TEMPLATES) | choice_labels(
        Category, Purpose, LegalBasis, Organisation.Kind
    )

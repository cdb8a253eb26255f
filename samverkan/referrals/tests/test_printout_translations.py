"""The sharing printout in the person's language: no string it shows lacks a
translation in any language the page offers, and only the printout changes
language; the page around it stays in the professional's own."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.cases import services as case_services
from samverkan.cases.models import Category, LegalBasis, Purpose
from samverkan.cases.tests import factories as case_factories
from samverkan.referrals.views import PRINTOUT_LANGUAGES
from samverkan.web.languages import LANGUAGE_NAMES
from samverkan.web.tests.translations import (
    MISSING,
    PRINTOUT_TEMPLATES,
    catalogue,
    printout_msgids,
    template_plurals,
    untranslated_plurals,
)

TRANSLATED = sorted(set(PRINTOUT_LANGUAGES) - {settings.LANGUAGE_CODE})
PRINTOUT_MSGIDS = printout_msgids()
PRINTOUT_PLURALS = template_plurals(PRINTOUT_TEMPLATES)


def test_the_templates_and_labels_are_found():
    # Guards the extraction itself: a walk that found nothing would pass everything.
    assert {"Who sees your information", "Withdrawn on %(date)s", "In force"} <= PRINTOUT_MSGIDS
    assert {"Health", "Child-protection duty", "Safe return", "Shelter"} <= PRINTOUT_MSGIDS
    assert [singular for singular, _ in PRINTOUT_PLURALS] == [
        "Where you stay is known to %(counter)s named person only."
    ]


def test_the_printout_offers_the_region_languages_and_romanian_and_ukrainian():
    assert set(LANGUAGE_NAMES) < set(PRINTOUT_LANGUAGES)
    assert set(PRINTOUT_LANGUAGES) - set(LANGUAGE_NAMES) == {"ro", "uk"}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_of_the_printout_is_translated(language):
    translations = catalogue(language)
    missing = sorted(msgid for msgid in PRINTOUT_MSGIDS if translations.gettext(msgid) is MISSING)
    assert missing == [], f"{language} lacks translations of {missing}"
    assert untranslated_plurals(translations, PRINTOUT_PLURALS) == [], language


class World:
    """An NGO leads a case; the person agreed until next year to share with
    shelters, a court ordered sharing with the police, an earlier consent was
    withdrawn, and two named people know where the person stays."""

    def __init__(self, login_as, client):
        Kind = Organisation.Kind
        self.ngo = case_factories.organisation(Kind.NGO, name="Stödcentret")
        self.shelter = case_factories.organisation(Kind.SHELTER, name="Fristaden")
        self.police = case_factories.organisation(Kind.POLICE, name="Polismyndigheten")
        self.lead = make_membership(
            make_user("lina@test.example", "Lina"), self.ngo, Role.CASE_MANAGER
        )
        self.case = case_factories.open_case(self.lead)
        consent = case_factories.consent(
            self.lead,
            self.case,
            categories=[Category.METADATA, Category.CONTACT, Category.HEALTH],
            kinds=[Kind.SHELTER],
            purposes=[Purpose.ASSISTANCE],
            expires_on=timezone.localdate() + timedelta(days=365),
        )
        court = case_factories.consent(
            self.lead,
            self.case,
            basis=LegalBasis.COURT_ORDER,
            categories=[Category.METADATA, Category.LEGAL],
            organisations=[self.police],
            purposes=[Purpose.LAW_ENFORCEMENT],
        )
        case_factories.share(
            self.lead, self.case, self.shelter, consent, categories=[Category.CONTACT]
        )
        case_factories.share(
            self.lead,
            self.case,
            self.police,
            court,
            categories=[Category.LEGAL],
            purpose=Purpose.LAW_ENFORCEMENT,
        )
        earlier = case_factories.consent(
            self.lead, self.case, kinds=[Kind.NGO], purposes=[Purpose.RESEARCH]
        )
        case_services.withdraw_consent(actor=self.lead, case=self.case, consent=earlier)
        shelter_worker = case_factories.member(self.shelter, Role.SERVICE_PROVIDER)
        for named in (self.lead, shelter_worker):
            case_services.name_for_secret_location(
                actor=self.lead, case=self.case, membership=named
            )
        self.client = login_as(client, self.lead)

    def page(self, **query) -> tuple[int, str]:
        response = self.client.get(
            reverse("case-sharing", args=[self.case.uuid]), query, HTTP_ACCEPT_LANGUAGE="sv"
        )
        return response.status_code, response.content.decode()


@pytest.fixture
def world(db, login, client):
    return World(login, client)


def _article(body: str) -> tuple[str, str]:
    found = re.search(r'<article class="printable" lang="([^"]*)"[^>]*>(.*?)</article>', body, re.S)
    assert found, "no printout on the page"
    return found.group(1), html.unescape(found.group(2))


def _english_leftovers(text: str, translations) -> list[str]:
    """The printout's English texts (placeholders aside) that show in ``text``."""
    found = []
    for msgid in sorted(PRINTOUT_MSGIDS):
        if translations.gettext(msgid) == msgid:
            continue  # the same word in both languages ("Status" in Polish)
        for fragment in re.split(r"%\(\w+\)s", msgid):
            fragment = fragment.strip(" .:()")
            if fragment and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text):
                found.append(fragment)
    return found


def test_the_printout_in_polish_leaves_the_page_in_the_professionals_language(world):
    polish = catalogue("pl")
    status, body = world.page(language="pl")
    assert status == 200
    language, article = _article(body)
    assert language == "pl"
    for shown in (
        "Who sees your information",
        "Who sees what, and why",
        "What you agreed to, and legal bases",
        "In force",
        "Health",
        "Research",
        "Court order",
        "Law enforcement",
        "Shelter",
    ):
        assert polish.gettext(shown) in article, shown
    singular, plural = next(iter(PRINTOUT_PLURALS))
    assert polish.ngettext(singular, plural, 2) % {"counter": 2} in article
    # Dates stay ISO whatever the language.
    today = timezone.localdate()
    next_year = today + timedelta(days=365)
    assert polish.gettext("Withdrawn on %(date)s") % {"date": today.isoformat()} in article
    assert polish.gettext("until %(date)s") % {"date": next_year.isoformat()} in article
    assert _english_leftovers(article, polish) == []
    # The menu and the form around the printout stay Swedish, the professional's language.
    assert '<html lang="sv">' in body
    assert ">Ärenden</a>" in body and ">Tillbaka till ärendet</a>" in body
    assert '<option value="pl" lang="pl" selected>Polski</option>' in body


def test_the_printout_defaults_to_the_professionals_language(world):
    status, body = world.page()
    assert status == 200
    language, article = _article(body)
    assert language == "sv"
    assert "Vem som ser dina uppgifter" in article


@pytest.mark.parametrize("asked", ["xx", "", "../sv", "en-GB"])
def test_an_unknown_language_falls_back_to_the_professionals_language(world, asked):
    status, body = world.page(language=asked)
    assert status == 200
    language, article = _article(body)
    assert language == "sv"
    assert catalogue("sv").gettext("Who sees your information") in article
    assert '<html lang="sv">' in body


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_prints_its_own_text(world, language):
    status, body = world.page(language=language)
    assert status == 200
    assert _article(body)[0] == language
    translations = catalogue(language)
    assert translations.gettext("Who sees your information") in _article(body)[1]

"""The public help pages in the region's languages: each language shows its own
text and nothing of the English it replaces, sets no cookie, loads nothing
from elsewhere and keeps its quick exit; and no string of these pages lacks a
translation in any language they offer."""

import html
import re

import pytest
from django.conf import settings

from samverkan.accounts.models import Organisation, Role
from samverkan.cases.tests import factories as case_factories
from samverkan.directory import services
from samverkan.directory.help_views import HELP_LANGUAGES
from samverkan.directory.models import ServiceKind, TargetGroup
from samverkan.web.tests.translations import FULL_LANGUAGES, MISSING, catalogue, help_msgids

TRANSLATED = sorted(set(HELP_LANGUAGES) - {settings.LANGUAGE_CODE})
HELP_MSGIDS = help_msgids()


def test_the_templates_and_labels_are_found():
    # Guards the extraction itself: a walk that found nothing would pass everything.
    assert {"Quick exit", "Get help in %(country_name)s", "Helplines"} <= HELP_MSGIDS
    assert {"Legal aid", "Women", "Sweden"} <= HELP_MSGIDS


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_of_the_help_pages_is_translated(language):
    translations = catalogue(language)
    missing = sorted(msgid for msgid in HELP_MSGIDS if translations.gettext(msgid) is MISSING)
    assert missing == [], f"{language} lacks translations of {missing}"


@pytest.fixture
def directory():
    provider = case_factories.member(
        case_factories.organisation(Organisation.Kind.HOTLINE), Role.SERVICE_PROVIDER
    )
    services.service_create(
        actor=provider,
        name="Stödlinjen",
        kind=ServiceKind.HELPLINE,
        municipality="Stockholm",
        phone="020-123 456",
        languages=["ro", "uk", "ar"],
        serves=[TargetGroup.WOMEN, TargetGroup.CHILDREN],
        is_public=True,
    )
    services.service_create(
        actor=provider,
        name="Rådgivningen",
        kind=ServiceKind.LEGAL_AID,
        municipality="Malmö",
        email="rad@example.org",
        languages=["pl"],
        serves=[TargetGroup.MEN],
        is_public=True,
    )


def _english_leftovers(body: str, translations) -> list[str]:
    """English texts of these pages that show in ``body`` although translated."""
    text = html.unescape(body)
    found = []
    for msgid in sorted(HELP_MSGIDS):
        if translations.gettext(msgid) == msgid:
            continue  # the same word in both languages ("E-mail" in Danish)
        for fragment in re.split(r"%\(\w+\)s", msgid):
            fragment = fragment.strip()
            if fragment and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text):
                found.append(fragment)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_shows_its_own_text_and_keeps_the_pages_safe(
    client, directory, settings, language
):
    translations = catalogue(language)
    for url in ("/help/", "/help/SE/"):
        page = client.get(url, {"lang": language})
        body = page.content.decode()
        assert page.status_code == 200
        assert page["Content-Language"] == language
        assert f'<html lang="{language}">' in body
        assert not page.cookies and "Set-Cookie" not in page.headers
        assert _english_leftovers(body, translations) == [], (language, url)
        external = {
            link
            for link in re.findall(r'(?:src|href|action)="([^"]+)"', body)
            if not link.startswith("/") and link != settings.QUICK_EXIT_URL
        }
        assert external == set()
        exit_link = re.search(r'<a id="quick-exit"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', body)
        assert exit_link and exit_link.group(1) == settings.QUICK_EXIT_URL
        assert html.unescape(exit_link.group(2)) == translations.gettext("Quick exit")
        assert 'src="/static/directory/quick_exit.js"' in body
        # The next page keeps the language by its link, not by a cookie.
        assert f"?lang={language}" in body
    text = html.unescape(body)
    for shown in ("Helplines", "Legal aid", "Women", "Children", "Men", "Sweden"):
        assert translations.gettext(shown) in text, (language, shown)
    # Spoken languages in their own names, whatever the page's language.
    assert '<bdi lang="ro">Română</bdi>' in body and '<bdi lang="pl">polski</bdi>' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fi-FI,fi;q=0.9,en;q=0.8", "fi"),
        ("nn-NO", "nb"),
        ("no;q=0.9, xx", "nb"),
        ("xx, ru;q=0.3, lt;q=0.7", "lt"),
        ("de;q=0, et", "et"),
        ("ar, uk", "en"),
    ],
)
def test_the_browser_language_is_chosen_without_remembering_it(client, header, expected):
    page = client.get("/help/", HTTP_ACCEPT_LANGUAGE=header)
    assert page["Content-Language"] == expected
    assert f'<html lang="{expected}">' in page.content.decode()
    assert not page.cookies
    # A chosen link wins over the browser.
    assert (
        client.get("/help/", {"lang": "pl"}, HTTP_ACCEPT_LANGUAGE=header)["Content-Language"]
        == "pl"
    )


@pytest.mark.django_db
def test_the_logged_in_application_keeps_its_own_languages(client):
    assert FULL_LANGUAGES == {"en", "sv"}
    login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fi")
    assert login.status_code == 200
    assert '<html lang="en">' in login.content.decode()
    swedish = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="sv")
    assert '<html lang="sv">' in swedish.content.decode()

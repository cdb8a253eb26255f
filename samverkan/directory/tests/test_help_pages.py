"""The public help pages: no login, only public services, a quick exit, nothing external."""

import re

import pytest

from samverkan.accounts.models import Organisation, Role
from samverkan.cases.tests import factories as case_factories
from samverkan.directory import services
from samverkan.directory.models import ServiceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    provider = case_factories.member(
        case_factories.organisation(Organisation.Kind.HOTLINE), Role.SERVICE_PROVIDER
    )
    services.service_create(
        actor=provider,
        name="National trafficking helpline",
        kind=ServiceKind.HELPLINE,
        municipality="Stockholm",
        phone="020-123 456",
        hours="Around the clock",
        is_public=True,
    )
    services.service_create(
        actor=provider,
        name="Legal advice desk",
        kind=ServiceKind.LEGAL_AID,
        municipality="Malmö",
        is_public=True,
    )
    services.service_create(
        actor=provider,
        name="Protected shelter intake",
        kind=ServiceKind.SHELTER,
        municipality="Malmö",
        capacity=3,
    )


def test_anyone_gets_help_without_logging_in(client, directory):
    index = client.get("/help/")
    assert index.status_code == 200
    assert "/help/SE/" in index.content.decode()
    page = client.get("/help/SE/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "National trafficking helpline" in body and "020-123 456" in body
    assert "Legal advice desk" in body
    # Not marked public: never on these pages.
    assert "Protected shelter intake" not in body


def test_a_municipality_narrows_the_list(client, directory):
    body = client.get("/help/SE/", {"municipality": "Malmö"}).content.decode()
    assert "Legal advice desk" in body
    assert client.get("/help/SE/", {"municipality": "Nowhere"}).status_code == 200
    assert client.get("/help/XX/").status_code == 404


def test_the_pages_load_nothing_from_elsewhere_and_keep_nothing(client, directory, settings):
    page = client.get("/help/SE/")
    body = page.content.decode()
    external = {
        url
        for url in re.findall(r'(?:src|href|action)="([^"]+)"', body)
        if not url.startswith("/") and url != settings.QUICK_EXIT_URL
    }
    assert external == set()
    assert 'id="quick-exit"' in body and 'src="/static/directory/quick_exit.js"' in body
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert "sessionid" not in page.cookies and "__Host-sessionid" not in page.cookies


def test_the_pages_set_no_cookie_and_switch_language_by_a_plain_link(client, directory):
    for url in ("/help/", "/help/SE/", "/help/SE/?lang=sv&municipality=Malmö"):
        page = client.get(url)
        assert page.status_code == 200
        assert not page.cookies, (url, list(page.cookies))
        assert "Set-Cookie" not in page.headers
        body = page.content.decode()
        assert '<form method="post"' not in body and "csrfmiddlewaretoken" not in body
    swedish = client.get("/help/SE/", {"lang": "sv"}).content.decode()
    assert '<html lang="sv">' in swedish and "Lämna sidan snabbt" in swedish
    assert 'href="/help/?lang=sv"' in swedish
    english = client.get("/help/SE/", {"lang": "en"}).content.decode()
    assert '<html lang="en">' in english and 'href="/help/SE/?lang=sv"' in english
    # An unknown language falls back, still without a cookie.
    unknown = client.get("/help/", {"lang": "xx"})
    assert unknown.status_code == 200 and not unknown.cookies


def test_a_shelter_or_safe_house_cannot_be_published_and_free_text_stays_off(client):
    from django.core.exceptions import ValidationError

    from samverkan.directory.models import Service

    provider = case_factories.member(
        case_factories.organisation(Organisation.Kind.SHELTER), Role.SERVICE_PROVIDER
    )
    for kind in (ServiceKind.SHELTER, ServiceKind.SAFE_HOUSE):
        with pytest.raises(ValidationError, match="intake helpline"):
            services.service_create(
                actor=provider, name="Skyddat", kind=kind, municipality="Malmö", is_public=True
            )
    assert not Service.objects.exists()
    services.service_create(
        actor=provider,
        name="Intake line",
        kind=ServiceKind.HELPLINE,
        municipality="Malmö",
        description="canary-description: the house behind the church",
        accessibility="canary-accessibility: ramp at the back door",
        is_public=True,
    )
    # One marked public before the refusal existed stays off the pages.
    Service.objects.create(
        provider=provider.organisation,
        country="SE",
        name="Old public shelter",
        kind=ServiceKind.SHELTER,
        municipality="Malmö",
        is_public=True,
    )
    body = client.get("/help/SE/").content.decode()
    assert "Intake line" in body
    assert "canary-" not in body and "Old public shelter" not in body

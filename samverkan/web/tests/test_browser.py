"""A person in a real browser (Debian's headless Chromium driven by Playwright).

The live server runs in another thread, so these tests use ``transactional_db``:
what the test writes is committed and visible to it.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from conftest import PASSWORD, login_as, make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.web.tests.browser import fresh_totp_code

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(new_tab) -> Page:
    return new_tab()


@pytest.fixture
def frida(live_db):
    """Like the demo's frontline worker: one membership, a TOTP authenticator."""
    police = Organisation.objects.create(
        name="Stockholm Police Region", kind=Organisation.Kind.POLICE, country="SE"
    )
    user = make_user("frida@test.example", "Frida Lind")
    make_membership(user, police, Role.FRONTLINE)
    return user


def test_log_in_with_password_and_authenticator_code(tab: Page, frida):
    tab.goto("/accounts/login/")
    tab.fill("input[name=login]", "frida@test.example")
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()

    tab.wait_for_url("**/accounts/2fa/authenticate/")
    tab.fill("input[name=code]", fresh_totp_code(frida))
    tab.locator("main form button[type=submit]").click()

    tab.wait_for_url(lambda url: url.endswith("/"))
    expect(tab.locator("h1")).to_have_text("Welcome, Frida Lind")
    expect(tab.locator("main")).to_contain_text(
        "You are acting for Stockholm Police Region as Frontline professional."
    )


def test_wrong_authenticator_code_keeps_the_person_out(tab: Page, frida, live_server):
    tab.goto("/accounts/login/")
    tab.fill("input[name=login]", "frida@test.example")
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/accounts/2fa/authenticate/")
    code = fresh_totp_code(frida)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    tab.fill("input[name=code]", wrong)
    tab.locator("main form button[type=submit]").click()

    expect(tab.locator("main")).to_contain_text("Incorrect code.")
    # The dashboard sends them back to the code prompt, where the login is still pending.
    tab.goto("/")
    assert tab.url == f"{live_server.url}/accounts/2fa/authenticate/"
    expect(tab.locator("input[name=code]")).to_be_visible()
    expect(tab.locator("h1")).not_to_contain_text("Welcome")


def test_language_switcher_turns_the_page_swedish(tab: Page):
    tab.goto("/accounts/login/")
    expect(tab.locator("html")).to_have_attribute("lang", "en")

    tab.select_option("#language-select", "sv")
    tab.locator("form.language button[type=submit]").click()

    tab.wait_for_url("**/accounts/login/")
    expect(tab.locator("html")).to_have_attribute("lang", "sv")
    tab.reload()
    expect(tab.locator("html")).to_have_attribute("lang", "sv")
    expect(tab.locator("#language-select")).to_have_value("sv")


def test_api_documentation_renders_under_the_content_security_policy(tab: Page, frida, live_server):
    client = Client()
    login_as(client, frida.memberships.get())
    tab.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    console: list[str] = []
    tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))

    tab.goto("/api/docs/")

    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("Samverkan API")
    expect(tab.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    assert [url for url in requests if not url.startswith(live_server.url)] == []
    # Nothing the page needs is blocked; drf-spectacular's template still carries a
    # small inline <style> (page background), which the policy rightly refuses.
    blocked = [line for line in console if line.startswith("error:")]
    assert [line for line in blocked if "Applying inline style" not in line] == []

"""The statistics page in a real browser (Debian's headless Chromium): its
server-drawn SVG charts show with the Content-Security-Policy in force and
nothing refused, and without any script at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login_as, make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.statistics.services import statistics_run_execute, statistics_run_request
from samverkan.statistics.tests.conftest import notify

pytestmark = pytest.mark.browser


def test_the_charts_show_under_the_content_security_policy(new_tab, live_server):
    Kind = Organisation.Kind
    office = Organisation.objects.create(name="Rapporteur", kind=Kind.RAPPORTEUR, country="SE")
    shelter = Organisation.objects.create(name="Shelter", kind=Kind.SHELTER, country="SE")
    rapporteur = make_membership(make_user("r@browser.example", "R"), office, Role.RAPPORTEUR)
    worker = make_membership(make_user("w@browser.example", "W"), shelter, Role.CASE_MANAGER)
    today = timezone.localdate()
    for days in range(12):
        notify(worker, today - timedelta(days=days), citizenship="RO" if days % 3 else "NG")
    run = statistics_run_request(
        actor=rapporteur, period_start=today - timedelta(days=30), period_end=today,
        minimum_cell=5, match_threshold=0.5, enqueue=False,
    )  # fmt: skip
    statistics_run_execute(run.pk)
    client = Client()
    login_as(client, rapporteur)
    tab = new_tab()
    tab.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME,
          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )  # fmt: skip
    refused = []
    # Chromium reports what the Content-Security-Policy blocks on the console.
    tab.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    tab.goto(f"/statistics/runs/{run.uuid}/")
    expect(tab.get_by_test_id("persons")).to_have_text("12")
    charts = tab.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 5
    bars = tab.locator("svg.chart.bars rect.bar")
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    assert max(widths) > 100
    assert tab.locator("script").count() == 0
    assert refused == []

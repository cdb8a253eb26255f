"""L5: no personal data in any log line, whatever path a case takes.

Every logger is captured at DEBUG while a case is opened, read, searched,
refused and sent bad input, through the pages and the API; none of the
person's values may appear in what was logged.
"""

from __future__ import annotations

import logging

from samverkan.cases.models import Case
from samverkan.cases.tests.test_pages import open_form

CANARIES = ["Zygmunta", "Kanarievägen 9", "+46 70 999 88 77", "Needs insulin daily", "1987-11-30"]


def test_no_personal_value_reaches_the_logs(client, world, login, caplog, monkeypatch):
    # Django's own loggers do not propagate to the root (see settings.LOGGING):
    # listen on each of them too, at every level.
    for name in ["", "django", "django.request", "django.security", "samverkan"]:
        logger = logging.getLogger(name)
        # set_level goes through setLevel, which also empties the loggers'
        # isEnabledFor cache (left stale by assigning .level directly, so that
        # a warning refused by an earlier test stayed refused here).
        caplog.set_level(logging.DEBUG, logger=name)
        if caplog.handler not in logger.handlers:
            monkeypatch.setattr(logger, "handlers", [*logger.handlers, caplog.handler])
    caplog.handler.setLevel(logging.DEBUG)
    form = open_form(
        given_names="Zygmunta",
        secret_location="Kanarievägen 9",
        contact="+46 70 999 88 77",
        health="Needs insulin daily",
        date_of_birth="1987-11-30",
    )
    login(client, world.cecilia)
    assert client.post("/cases/new/", form).status_code == 302
    case = Case.objects.get()
    assert client.get(f"/cases/{case.uuid}/").status_code == 200
    assert client.post("/cases/search/", {"name": "Zygmunta Testdottir"}).status_code == 200
    # Bad input echoes nothing into the logs either.
    assert client.post("/cases/new/", {**form, "exploitation_forms": []}).status_code == 400
    api = client.post(
        "/api/v1/cases/search/",
        {"name": "Zygmunta Testdottir", "date_of_birth": "1987-11-31"},
        content_type="application/json",
    )
    assert api.status_code == 400
    login(client, world.alice)
    assert client.get(f"/cases/{case.uuid}/").status_code == 404

    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert caplog.records, "the flow logged nothing at all: the capture is broken"
    assert not [canary for canary in CANARIES if canary in logged]

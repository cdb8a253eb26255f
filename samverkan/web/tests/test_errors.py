"""A fault answers a plain error page, with no traceback or detail of the fault."""

import pytest
from django.test import Client


@pytest.fixture
def failing_create(monkeypatch):
    from samverkan.accounts import services

    def fail(**kwargs):
        raise RuntimeError("disk full SECRET-DETAIL")

    monkeypatch.setattr(services, "organisation_create", fail)


def test_an_unexpected_error_shows_a_plain_page(world, login, failing_create, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    login(client, world.per)
    response = client.post(
        "/organisations/", {"name": "Half", "kind": "ngo", "country": "SE", "municipality": ""}
    )
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "SECRET-DETAIL" not in body
    assert "Traceback" not in body

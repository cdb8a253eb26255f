"""The REST API's shell as a client meets it: one error format, tokens made on
the API tokens page, the schema and its documentation page; and HTML error
pages on the web side."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from conftest import make_membership
from samverkan.accounts.middleware import AUTHENTICATED_AT, MEMBERSHIP
from samverkan.accounts.models import ApiToken, Role

pytestmark = pytest.mark.django_db

SECRET_PATTERN = re.compile(r'data-testid="api-token-secret">([^<]+)</code>')
REVOKE_PATTERN = re.compile(r'action="(/api-tokens/[0-9a-f-]{36}/revoke/)"')


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def token_header(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


def create_token_on_page(client, name: str) -> tuple[str, str]:
    """Create a token the way a person does, and read the secret and revoke URL off the page."""
    response = client.post("/api-tokens/", {"name": name})
    assert response.status_code == 200
    page = response.content.decode()
    secrets_shown = SECRET_PATTERN.findall(page)
    assert len(secrets_shown) == 1
    revoke_urls = REVOKE_PATTERN.findall(page)
    token = ApiToken.objects.get(name=name)
    assert f"/api-tokens/{token.uuid}/revoke/" in revoke_urls
    return secrets_shown[0], f"/api-tokens/{token.uuid}/revoke/"


# --- The error format ------------------------------------------------------


def test_unauthenticated_request_is_401_with_the_error_format_and_a_token_challenge(client):
    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == error(
        "not_authenticated", "Authentication credentials were not provided."
    )


def test_unknown_token_is_401(client, world):
    response = client.get("/api/v1/me/", **token_header("not-a-real-token"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == error("authentication_failed", "Invalid or revoked token.")


def test_malformed_token_header_is_401(client, world):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token two parts")

    assert response.status_code == 401
    assert response.json() == error("authentication_failed", "Malformed token header.")


def test_role_without_audit_access_gets_403_on_audit_entries(client, world, login):
    login(client, world.alice)

    response = client.get("/api/v1/audit-entries/")

    assert response.status_code == 403
    assert response.json() == error(
        "permission_denied", "You do not have permission to perform this action."
    )


def test_invalid_filter_is_400_with_field_errors(client, world, login):
    login(client, world.agnes)

    response = client.get("/api/v1/audit-entries/", {"date_from": "not-a-date"})

    assert response.status_code == 400
    assert response.json() == error(
        "invalid",
        "The request is not valid; see the field errors.",
        {"date_from": ["Enter a valid date."]},
    )


def test_reversed_date_range_is_400_with_a_non_field_error(client, world, login):
    login(client, world.agnes)

    response = client.get(
        "/api/v1/audit-entries/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )

    assert response.status_code == 400
    assert response.json() == error(
        "invalid",
        "The request is not valid; see the field errors.",
        {"__all__": ["The start date is after the end date."]},
    )


def test_unknown_api_url_is_404_json(client, world, login):
    login(client, world.alice)

    response = client.get("/api/v1/nope/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == error("not_found", "There is nothing here.")


def test_unknown_api_url_is_404_json_for_anonymous_too(client):
    response = client.get("/api/v1/nope/")

    assert response.status_code == 404
    assert response.json() == error("not_found", "There is nothing here.")


def test_method_not_allowed_uses_the_error_format(client, world, login):
    login(client, world.alice)

    response = client.post("/api/v1/me/", {}, content_type="application/json")

    assert response.status_code == 405
    assert response.json() == error("method_not_allowed", 'Method "POST" not allowed.')


def test_session_past_its_absolute_lifetime_is_401_in_the_error_format(client, world, login):
    login(client, world.alice)
    session = client.session
    session[AUTHENTICATED_AT] = time.time() - 13 * 60 * 60
    session.save()

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == error("not_authenticated", "Your session has ended.")


def test_person_without_second_factor_gets_403_in_the_error_format(client, world):
    client.force_login(world.zed)

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json() == error(
        "mfa_required", "Set up two-factor authentication before using the API."
    )


# --- Tokens made on the API tokens page ------------------------------------


def test_token_from_the_page_authenticates_as_the_creating_membership(client, world, login):
    login(client, world.cecilia)
    secret, _revoke_url = create_token_on_page(client, "nightly export")

    client.logout()
    response = client.get("/api/v1/me/", **token_header(secret))

    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Cecilia"
    assert body["email"] == "cecilia@test.example"
    assert body["acting_as"]["uuid"] == str(world.cecilia.uuid)
    assert body["acting_as"]["role"] == Role.CASE_MANAGER
    assert body["acting_as"]["organisation"]["name"] == "NGO SE"
    assert ApiToken.objects.get(name="nightly export").last_used_at is not None


def test_token_carries_the_role_of_the_membership_it_was_made_in(client, world, login):
    """Agnes audits the NGO and also works frontline at the police: each token keeps its role."""
    frontline = make_membership(world.agnes.user, world.police, Role.FRONTLINE)
    login(client, world.agnes)
    auditor_secret, _ = create_token_on_page(client, "as auditor")
    session = client.session
    session[MEMBERSHIP] = str(frontline.uuid)
    session.save()
    frontline_secret, _ = create_token_on_page(client, "as frontline")
    client.logout()

    as_auditor = client.get("/api/v1/me/", **token_header(auditor_secret))
    as_frontline = client.get("/api/v1/me/", **token_header(frontline_secret))

    assert as_auditor.json()["acting_as"]["uuid"] == str(world.agnes.uuid)
    assert as_frontline.json()["acting_as"]["uuid"] == str(frontline.uuid)
    assert client.get("/api/v1/audit-entries/", **token_header(auditor_secret)).status_code == 200
    denied = client.get("/api/v1/audit-entries/", **token_header(frontline_secret))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"


def test_revoked_token_gets_401(client, world, login):
    login(client, world.cecilia)
    secret, revoke_url = create_token_on_page(client, "to be revoked")
    api = type(client)()
    assert api.get("/api/v1/me/", **token_header(secret)).status_code == 200

    response = client.post(revoke_url)

    assert response.status_code == 302
    assert response["Location"] == "/api-tokens/"
    after = api.get("/api/v1/me/", **token_header(secret))
    assert after.status_code == 401
    assert after.json() == error("authentication_failed", "Invalid or revoked token.")
    assert "Revoked" in client.get("/api-tokens/").content.decode()


def test_someone_elses_token_cannot_be_revoked(client, world, login):
    login(client, world.cecilia)
    secret, revoke_url = create_token_on_page(client, "cecilia's")
    client.logout()
    login(client, world.olle)

    response = client.post(revoke_url)

    assert response.status_code == 404
    assert ApiToken.objects.get(name="cecilia's").revoked_at is None
    assert client.get("/api/v1/me/", **token_header(secret)).status_code == 200


def test_token_secret_is_shown_once(client, world, login):
    login(client, world.cecilia)
    secret, _ = create_token_on_page(client, "shown once")

    page = client.get("/api-tokens/").content.decode()

    assert "shown once" in page
    assert secret not in page
    assert SECRET_PATTERN.findall(page) == []


# --- Schema and documentation ----------------------------------------------


def test_schema_is_an_openapi_3_document_for_a_logged_in_person(client, world, login):
    login(client, world.alice)

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Samverkan API"
    assert {
        "/api/v1/me/",
        "/api/v1/organisations/",
        "/api/v1/members/",
        "/api/v1/audit-entries/",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Send "Token <secret>"; create tokens on the API tokens page.',
    }


def test_schema_needs_a_logged_in_person(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 401


def test_docs_page_loads_its_assets_from_this_server_only(client, world, login):
    login(client, world.alice)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Samverkan API</title>" in page
    assets = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sorted(assets) == [
        "/api/docs/?script=",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
    assert "http://" not in script.content.decode().replace("http://testserver", "")
    assert "https://" not in script.content.decode()


def test_docs_assets_are_served(client, world, login):
    login(client, world.alice)

    for path in [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)


# --- HTML error pages on the web side ----------------------------------------


def assert_html_error_page(response, status: int, title: str, message: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert f"<h1>{title}</h1>" in page
    assert f"<p>{message}</p>" in page
    assert "Traceback" not in page
    assert 'File "' not in page


def test_unknown_page_renders_the_html_404_page(client, world, login):
    login(client, world.alice)

    response = client.get("/nope/")

    assert_html_error_page(response, 404, "Not found", "There is nothing here.")


def test_unknown_page_renders_the_html_404_page_for_anonymous(client):
    response = client.get("/nope/")

    assert_html_error_page(response, 404, "Not found", "There is nothing here.")


def test_organisation_outside_scope_renders_the_html_404_page(client, world, login):
    login(client, world.olle)

    response = client.get(f"/organisations/{world.police.uuid}/members/")

    assert_html_error_page(response, 404, "Not found", "There is nothing here.")


def test_unknown_organisation_renders_the_same_404_page(client, world, login):
    login(client, world.olle)

    response = client.get(f"/organisations/{uuid.uuid4()}/members/")

    assert_html_error_page(response, 404, "Not found", "There is nothing here.")


def test_bad_host_renders_the_html_400_page(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")

    assert_html_error_page(response, 400, "Bad request", "The request could not be understood.")


def test_ping_answers_an_acting_membership_and_refuses_everyone_else(client, world, login):
    assert client.get("/api/v1/ping/").status_code in {401, 403}
    login(client, world.alice)
    response = client.get("/api/v1/ping/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    """Every endpoint documents itself: a colliding operation id or an unresolvable
    serializer would leave clients with a wrong or missing description."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))

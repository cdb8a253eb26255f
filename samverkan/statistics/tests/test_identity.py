"""The rapporteur never reaches an identity: not through a statistics page, an
export, the API, nor any case page or endpoint. Every sealed value of every
case is a canary, and none may appear anywhere the rapporteur can go."""

from __future__ import annotations

import io
import zipfile

from samverkan.cases.models import Case
from samverkan.cases.tests.factories import CANARIES
from samverkan.policy.tests.test_matrix import url_names
from samverkan.statistics.tests.conftest import FAMILY_NAMES
from samverkan.statistics.tests.encodings import encodings_file, population


def test_no_page_or_endpoint_gives_the_rapporteur_an_identity(
    client, login, statistics_world, registrations, published, tmp_path
):
    w = statistics_world
    login(client, w.rapporteur)
    people = population(20).records["ngo"]
    client.post(
        "/statistics/sources/",
        {"name": "List", "file": _file(encodings_file(tmp_path, people, agency_kind="ngo"))},
    )
    cases = list(Case.objects.select_related("person"))
    secrets = [*CANARIES.values(), *FAMILY_NAMES, *(record["family_name"] for record in people)]
    secrets += [case.number for case in cases] + [str(case.uuid) for case in cases]
    secrets += [str(case.person.uuid) for case in cases]
    run = published.uuid
    statistics_urls = [
        "/", "/statistics/", "/statistics/sources/",
        f"/statistics/runs/{run}/", f"/statistics/runs/{run}/report/",
        *(f"/statistics/runs/{run}/export/{kind}/" for kind in ("csv", "json", "xlsx", "htcds")),
        "/api/v1/statistics/runs/", f"/api/v1/statistics/runs/{run}/",
        "/api/v1/statistics/sources/", "/api/v1/me/",
    ]  # fmt: skip
    case = cases[0]
    case_urls = [
        "/cases/", f"/cases/{case.uuid}/", "/deadlines/", "/anonymous-notifications/",
        "/api/v1/cases/", f"/api/v1/cases/{case.uuid}/", f"/api/v1/cases/{case.uuid}/notes/",
        "/api/v1/deadlines/", "/api/v1/anonymous-notifications/",
        f"/cases/{case.uuid}/sharing/", f"/api/v1/cases/{case.uuid}/sharing/",
        f"/cases/{case.uuid}/screening/", f"/api/v1/cases/{case.uuid}/screenings/",
    ]  # fmt: skip
    for url in statistics_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        assert [secret for secret in secrets if secret in text] == [], url
    for url in case_urls:
        response = client.get(url)
        assert response.status_code in {403, 404}, url
        # The refusal page repeats the address asked for (the language form), nothing more.
        leaked = [secret for secret in secrets if secret in _text(response) and secret not in url]
        assert leaked == [], url
    # The case pages above are every page and endpoint about a case or a notification.
    about_cases = {
        name for name in url_names() if name and ("case" in name or "notification" in name)
    }
    assert about_cases <= _case_route_names()


def _case_route_names() -> set[str]:
    from samverkan.cases.tests.routes import API_ROUTES, WEB_ROUTES
    from samverkan.referrals.tests.routes import API_ROUTES as REFERRAL_API_ROUTES
    from samverkan.referrals.tests.routes import WEB_ROUTES as REFERRAL_WEB_ROUTES

    return set(WEB_ROUTES) | set(API_ROUTES) | set(REFERRAL_WEB_ROUTES) | set(REFERRAL_API_ROUTES)


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(name).decode("utf-8") for name in book.namelist())
    return response.content.decode("utf-8")


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.json", data)

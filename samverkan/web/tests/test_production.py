"""Production start-up and the security baseline (bars C1–C3, S5, D8, V3).

Production settings are read once per process, so everything that needs
``SAMVERKAN_ENV=production`` runs in a subprocess against a throwaway SQLite
file and a throwaway var directory.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

BASE_DIR = Path(__file__).resolve().parents[3]
SAMVERKAN_DIR = BASE_DIR / "samverkan"
PUBLIC_HOST = "samverkan.example"

REQUIRED = [
    "SAMVERKAN_SECRET_KEY",
    "SAMVERKAN_FIELD_KEYS",
    "SAMVERKAN_AUDIT_CHECKPOINT_KEY",
    "SAMVERKAN_BLIND_INDEX_KEY",
    "SAMVERKAN_LINKAGE_SECRET",
    "SAMVERKAN_ALLOWED_HOSTS",
    "SAMVERKAN_EMAIL_URL",
    "SAMVERKAN_SITE_URL",
]


def _b64key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def production_env(var_dir: Path, database: Path, **overrides: str | None) -> dict[str, str]:
    """A hermetic production environment: nothing from the caller's SAMVERKAN_* leaks in."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SAMVERKAN_")
        and name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    }
    env.update(
        {
            "SAMVERKAN_ENV": "production",
            "SAMVERKAN_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{database}",
            "SAMVERKAN_SECRET_KEY": secrets.token_urlsafe(50),
            "SAMVERKAN_FIELD_KEYS": f"k1:{_b64key()}",
            "SAMVERKAN_AUDIT_CHECKPOINT_KEY": _b64key(),
            "SAMVERKAN_BLIND_INDEX_KEY": _b64key(),
            "SAMVERKAN_LINKAGE_SECRET": _b64key(),
            "SAMVERKAN_ALLOWED_HOSTS": PUBLIC_HOST,
            "SAMVERKAN_EMAIL_URL": "smtp://localhost:25",
            "SAMVERKAN_SITE_URL": f"https://{PUBLIC_HOST}",
            "SAMVERKAN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "samverkan.settings",
        }
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(["-c", code], env)


@pytest.fixture
def var_dir(tmp_path) -> Path:
    path = tmp_path / "var"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    """A deployment's var directory: an empty database migrated under production
    settings (copied for each test that changes it) and the collected static files."""
    directory = tmp_path_factory.mktemp("production-var")
    database = directory / "samverkan.sqlite3"
    env = production_env(directory, database)
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["createcachetable"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        result = run(["manage.py", *command], env)
        assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def migrated_database(migrated_template, tmp_path) -> Path:
    database = tmp_path / "samverkan.sqlite3"
    for path in migrated_template.parent.glob(migrated_template.name + "*"):
        shutil.copy(path, tmp_path / path.name)
    return database


# --- Refusing to start ------------------------------------------------------


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(missing, var_dir, tmp_path):
    env = production_env(var_dir, tmp_path / "db.sqlite3", **{missing: None})

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert missing in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_an_empty_required_variable(missing, var_dir, tmp_path):
    env = production_env(var_dir, tmp_path / "db.sqlite3", **{missing: ""})

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert missing in result.stderr.strip().splitlines()[-1]


def test_deploy_check_passes_with_no_issues(var_dir, tmp_path):
    """Bar C1."""
    env = production_env(var_dir, tmp_path / "db.sqlite3")

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stderr
    # Only W021 (HSTS preload, an operator's choice left off) is silenced.
    assert result.stdout == "System check identified no issues (1 silenced).\n"
    assert result.stderr == ""


def test_deploy_check_passes_with_hsts_preload_chosen(var_dir, tmp_path):
    env = production_env(var_dir, tmp_path / "db.sqlite3", SAMVERKAN_HSTS_PRELOAD="1")

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("SAMVERKAN_DEMO", "SAMVERKAN_DEMO must be off in production."),
        ("SAMVERKAN_DEBUG", "SAMVERKAN_DEBUG must be off in production."),
    ],
)
def test_production_refuses_demo_or_debug_mode(variable, message, var_dir, tmp_path):
    env = production_env(var_dir, tmp_path / "db.sqlite3", **{variable: "1"})

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {message}"
    )


def test_unknown_environment_name_refuses_to_start(var_dir, tmp_path):
    env = production_env(var_dir, tmp_path / "db.sqlite3", SAMVERKAN_ENV="prod")

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "SAMVERKAN_ENV must be development, test or production, not 'prod'"
    )


def test_production_server_refuses_a_database_with_demo_users(var_dir, tmp_path):
    database = tmp_path / "db.sqlite3"
    development = production_env(
        var_dir, database, SAMVERKAN_ENV="development", SAMVERKAN_EMAIL_URL=None
    )
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"], ["demo"]):
        result = run(["manage.py", *command], development)
        assert result.returncode == 0, result.stderr
    production = production_env(var_dir, database)

    result = run_python("import samverkan.wsgi", production)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Demo users exist in this database; "
        "production refuses to start. Use a database without demo data."
    )


def test_demo_command_refuses_to_run_in_production(var_dir, migrated_database):
    env = production_env(var_dir, migrated_database)

    result = run(["manage.py", "demo"], env)

    assert result.returncode != 0
    assert "Demo data cannot be created in production." in result.stderr


def test_production_server_starts_on_a_clean_database(var_dir, migrated_database):
    env = production_env(var_dir, migrated_database)

    result = run_python("import samverkan.wsgi; print('started')", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "started\n"


# --- What production settings serve ----------------------------------------

PRODUCTION_PROBE = """
import json
import django
from django.conf import settings

django.setup()
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from samverkan.accounts.models import User


def routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route, f"{pattern.callback.__module__}.{pattern.callback.__qualname__}"


users_after_migrate = User.objects.count()
user = User.objects.create_user("probe@test.example", "a long enough probe passphrase")
TOTP.activate(user, generate_totp_secret())

client = Client(SERVER_NAME="samverkan.example")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
login = client.post(
    "/accounts/login/",
    {"login": "probe@test.example", "password": "a long enough probe passphrase"},
    secure=True,
)


def cookies(response):
    return {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "path": morsel["path"],
            "domain": morsel["domain"],
            "samesite": morsel["samesite"],
        }
        for name, morsel in response.cookies.items()
    }


print(json.dumps({
    "users_after_migrate": users_after_migrate,
    "installed_apps": settings.INSTALLED_APPS,
    "routes": sorted(routes(get_resolver().url_patterns)),
    "settings": {
        "SESSION_COOKIE_NAME": settings.SESSION_COOKIE_NAME,
        "CSRF_COOKIE_NAME": settings.CSRF_COOKIE_NAME,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
        "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
        "SESSION_COOKIE_DOMAIN": settings.SESSION_COOKIE_DOMAIN,
        "CSRF_COOKIE_DOMAIN": settings.CSRF_COOKIE_DOMAIN,
        "DEBUG": settings.DEBUG,
        "DEMO_MODE": settings.DEMO_MODE,
    },
    "plain": {"status": plain.status_code, "location": plain.get("Location")},
    "page": {"status": page.status_code, "headers": dict(page.headers), "cookies": cookies(page)},
    "login": {
        "status": login.status_code,
        "location": login.get("Location"),
        "headers": dict(login.headers),
        "cookies": cookies(login),
    },
}))
"""


@pytest.fixture(scope="module")
def production_probe(migrated_template, tmp_path_factory) -> dict:
    directory = tmp_path_factory.mktemp("production-probe")
    database = directory / migrated_template.name
    for path in migrated_template.parent.glob(migrated_template.name + "*"):
        shutil.copy(path, directory / path.name)
    env = production_env(migrated_template.parent, database)
    result = run_python(PRODUCTION_PROBE, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_user_exists_after_migrating_an_empty_database(production_probe):
    """Bar C3: no default or shared accounts."""
    assert production_probe["users_after_migrate"] == 0


def test_production_has_no_admin_debug_or_test_views(production_probe):
    """Bar C3."""
    routes = [route for route, _view in production_probe["routes"]]
    views = [view for _route, view in production_probe["routes"]]
    assert [route for route in routes if route.startswith("admin")] == []
    assert [route for route in routes if re.search(r"debug|test|silk", route, re.I)] == []
    assert [view for view in views if re.search(r"debug|test|admin\.sites", view, re.I)] == []
    apps = production_probe["installed_apps"]
    assert "django.contrib.admin" not in apps
    assert [app for app in apps if "debug" in app or "test" in app] == []


def test_production_cookie_settings(production_probe):
    """Bar S5."""
    assert production_probe["settings"] == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_DOMAIN": None,
        "DEBUG": False,
        "DEMO_MODE": False,
    }


def test_production_sets_host_prefixed_secure_cookies_over_https(production_probe):
    """Bar S5: what the browser receives, not only what settings say."""
    csrf = production_probe["page"]["cookies"]
    assert production_probe["page"]["status"] == 200
    assert set(csrf) == {"__Host-csrftoken"}
    assert csrf["__Host-csrftoken"] == {
        "secure": True,
        "httponly": False,
        "path": "/",
        "domain": "",
        "samesite": "Lax",
    }
    login = production_probe["login"]
    assert login["status"] == 302
    assert login["location"] == "/accounts/2fa/authenticate/"
    assert login["cookies"]["__Host-sessionid"] == {
        "secure": True,
        "httponly": True,
        "path": "/",
        "domain": "",
        "samesite": "Lax",
    }
    assert [name for name in login["cookies"] if not name.startswith("__Host-")] == []


def test_production_redirects_plain_http_to_https(production_probe):
    assert production_probe["plain"] == {
        "status": 301,
        "location": f"https://{PUBLIC_HOST}/accounts/login/",
    }


def test_production_sends_hsts(production_probe):
    """Bar C2: HSTS for a year, subdomains included."""
    for response in (production_probe["page"], production_probe["login"]):
        assert response["headers"]["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        )


def test_production_sends_the_security_headers(production_probe):
    """Bar C2 under production settings."""
    headers = production_probe["page"]["headers"]
    assert_security_headers(headers)


# --- Security headers in-process (C2, D8) ------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(headers) -> None:
    csp = csp_directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "logged_in", "status"),
    [
        ("/", True, 200),
        ("/", False, 302),
        ("/accounts/login/", False, 200),
        ("/api/v1/me/", True, 200),
        ("/api/v1/me/", False, 401),
        ("/api/v1/organisations/", True, 200),
        ("/api/v1/nope/", True, 404),
        ("/api/schema/", True, 200),
        ("/api/docs/", True, 200),
        ("/api-tokens/", True, 200),
        ("/nope/", False, 404),
    ],
)
def test_every_response_carries_the_security_headers(client, world, login, path, logged_in, status):
    """Bars C2 and D8."""
    if logged_in:
        login(client, world.olle)

    response = client.get(path)

    assert response.status_code == status
    assert_security_headers(response.headers)


@pytest.mark.django_db
def test_error_responses_carry_the_security_headers(client, world, login):
    forbidden = login(client, world.alice).get("/api/v1/audit-entries/")
    invalid = login(client, world.agnes).get("/api/v1/audit-entries/", {"date_from": "x"})

    assert forbidden.status_code == 403
    assert invalid.status_code == 400
    assert_security_headers(forbidden.headers)
    assert_security_headers(invalid.headers)


@pytest.mark.django_db
def test_login_flow_responses_carry_the_security_headers(client, world):
    response = client.post(
        "/accounts/login/",
        {"login": "alice@test.example", "password": "a long enough test passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert_security_headers(response.headers)
    assert_security_headers(client.get("/accounts/2fa/authenticate/").headers)


# --- Bar C3 in-process: the URL configuration this process serves -----------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            assert isinstance(pattern, URLPattern)
            yield route


def test_no_url_pattern_is_an_admin_debug_or_test_view():
    routes = list(_routes(get_resolver().url_patterns))

    assert "api/v1/me/" in routes
    assert [route for route in routes if route.startswith("admin")] == []
    assert [route for route in routes if re.search(r"debug|test", route, re.I)] == []


# --- Bar V3: no way around autoescaping ----------------------------------------

UNSAFE = re.compile(r"\|\s*safe(seq)?\b|\bmark_safe\b|\bSafeString\b")
# Plain-text e-mail templates (.txt) turn autoescaping off on purpose: they are not HTML.
AUTOESCAPE_OFF = re.compile(r"\{%\s*autoescape\s+off")


def test_no_template_or_code_marks_text_safe_or_turns_autoescaping_off():
    this_file = Path(__file__).resolve()
    found = []
    for path in sorted(SAMVERKAN_DIR.rglob("*")):
        if path.suffix not in {".html", ".txt", ".py"} or path.resolve() == this_file:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNSAFE.search(line) or (path.suffix == ".html" and AUTOESCAPE_OFF.search(line)):
                found.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert found == []


def test_the_unsafe_pattern_catches_what_it_should():
    assert UNSAFE.search("{{ note|safe }}")
    assert UNSAFE.search("{{ note | safe }}")
    assert UNSAFE.search("{{ notes|safeseq }}")
    assert UNSAFE.search("return mark_safe(html)")
    assert AUTOESCAPE_OFF.search("{% autoescape off %}")
    assert not UNSAFE.search("{{ note|safe_length }}")
    assert not UNSAFE.search("{{ note }}")

"""The public help pages: no login, no cookie at all, nothing loaded from
elsewhere, and a quick-exit button. Nothing is audited: nobody is identified.

They speak the region's languages (``HELP_LANGUAGES``), while the logged-in
application keeps ``settings.LANGUAGES``: victims rarely read Swedish, and
only these pages are translated that far. The language is chosen by a plain
link (``?lang=fi``), or else by the browser's Accept-Language, and never
remembered: a cookie would stay on the visitor's device for whoever looks at
it next."""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from samverkan.accounts.models import Country
from samverkan.directory import selectors
from samverkan.directory.models import ServiceKind, TargetGroup
from samverkan.web.languages import LANGUAGE_NAMES

# A language is offered only when samverkan/locale/<code>/ translates every
# string these pages show (directory/tests/test_help_translations.py): all of
# the region's languages do.
HELP_LANGUAGES = LANGUAGE_NAMES
# Browsers say "no" or "nn" for Norwegian; Bokmål is the written form we have.
LANGUAGE_ALIASES = {"no": "nb", "nn": "nb"}
# Enough for any real browser; a longer header is not worth parsing.
ACCEPT_LANGUAGE_MAX_ENTRIES = 20


def _accepted_languages(header: str) -> list[str]:
    """The primary language codes of an Accept-Language header, most wanted first."""
    ranked = []
    for position, entry in enumerate(header.split(",")[:ACCEPT_LANGUAGE_MAX_ENTRIES]):
        tag, _, parameters = entry.strip().partition(";")
        quality = 1.0
        parameters = parameters.strip()
        if parameters.startswith("q="):
            try:
                quality = float(parameters[2:])
            except ValueError:
                continue
        code = tag.strip().split("-")[0].lower()
        if code and quality > 0:
            ranked.append((-quality, position, LANGUAGE_ALIASES.get(code, code)))
    return [code for _, _, code in sorted(ranked)]


def help_language(request) -> str:
    """The language asked for by the link, else the browser's first one we have."""
    asked = request.GET.get("lang", "")
    if asked in HELP_LANGUAGES:
        return asked
    for code in _accepted_languages(request.headers.get("Accept-Language", "")):
        if code in HELP_LANGUAGES:
            return code
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in HELP_LANGUAGES else settings.LANGUAGE_CODE


def _render(request, template: str, context: dict):
    language = help_language(request)
    context = {
        **context,
        "lang": language,
        "languages": list(HELP_LANGUAGES.items()),
        "exit_url": settings.QUICK_EXIT_URL,
    }
    with translation.override(language):
        response = render(request, template, context)
    # The locale middleware would name the application's language instead.
    response["Content-Language"] = language
    return _private(response)


def _private(response):
    # The exit site learns nothing of where the visitor was (no-store comes from
    # the middleware, for every page).
    response["Referrer-Policy"] = "no-referrer"
    return response


def _for_display(service):
    """Spoken languages in their own names, and the groups served in the page's language."""
    service.language_names = [
        (code, LANG_INFO.get(code, {}).get("name_local", code)) for code in service.languages
    ]
    service.serves_labels = [
        TargetGroup(group).label for group in service.serves if group in TargetGroup.values
    ]
    return service


@require_GET
def help_index(request):
    names = dict(Country.choices)
    countries = [(code, names[code]) for code in selectors.public_countries() if code in names]
    return _render(request, "directory/help_index.html", {"countries": countries})


@require_GET
def help_country(request, country):
    names = dict(Country.choices)
    if country not in names:
        raise Http404
    places = selectors.public_municipalities(country)
    municipality = request.GET.get("municipality", "")
    if municipality not in places:
        municipality = ""
    found = [_for_display(service) for service in selectors.public_services(country, municipality)]
    context = {
        "country": country,
        "country_name": names[country],
        "municipalities": places,
        "municipality": municipality,
        "helplines": [service for service in found if service.kind == ServiceKind.HELPLINE],
        "services": [service for service in found if service.kind != ServiceKind.HELPLINE],
    }
    return _render(request, "directory/help_country.html", context)

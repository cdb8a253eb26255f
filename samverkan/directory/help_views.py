"""The public help pages: no login, no cookie at all, nothing loaded from
elsewhere, and a quick-exit button. Nothing is audited: nobody is identified.

The language is chosen by a plain link (``?lang=sv``), never remembered: a
cookie would stay on the visitor's device for whoever looks at it next."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from samverkan.accounts.models import Country
from samverkan.directory import selectors
from samverkan.directory.models import ServiceKind


def _render(request, template: str, context: dict):
    names = dict(settings.LANGUAGES)
    language = request.GET.get("lang", "")
    if language not in names:
        language = translation.get_language()
    context = {
        **context,
        "lang": language,
        "languages": [(code, translation.get_language_info(code)["name_local"]) for code in names],
        "exit_url": settings.QUICK_EXIT_URL,
    }
    with translation.override(language):
        return _private(render(request, template, context))


def _private(response):
    # The exit site learns nothing of where the visitor was (no-store comes from
    # the middleware, for every page).
    response["Referrer-Policy"] = "no-referrer"
    return response


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
    found = selectors.public_services(country, municipality)
    context = {
        "country": country,
        "country_name": names[country],
        "municipalities": places,
        "municipality": municipality,
        "helplines": [service for service in found if service.kind == ServiceKind.HELPLINE],
        "services": [service for service in found if service.kind != ServiceKind.HELPLINE],
    }
    return _render(request, "directory/help_country.html", context)

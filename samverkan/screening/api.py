"""REST API for screening: catalogues, a stateless evaluation, and a case's screenings.

``POST /api/v1/screening/evaluate`` stores nothing and audits nothing: it
receives no identity, only a set and its answers. A case's screenings are
read and written under the case's access policy, like the case pages.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from samverkan.cases import selectors as case_selectors
from samverkan.cases.api import ERRORS, PURPOSE_HEADER, PurposeMissing, StrictSerializer, _purpose
from samverkan.screening import registry, rule, selectors, services
from samverkan.screening.catalogue import AUDIENCES, FORMS, SetChoiceError, audience_of
from samverkan.screening.forms import SET_CHOICE_ERRORS
from samverkan.screening.presentation import summarise

ANSWERS_MAX = 200


def _refuse_duplicate_keys(pairs):
    keys = [key for key, _value in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise exceptions.ParseError(
            _("These keys are given twice: %(keys)s.") % {"keys": ", ".join(twice)}
        )
    return dict(pairs)


class StrictJSONParser(JSONParser):
    """JSON in which a key given twice is refused: {"AL-EX-01": "yes", "AL-EX-01": "no"}
    is a contradiction, not "the last one wins"."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
            return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(_("The body is not valid JSON.")) from error


def _catalogue(catalogue_id: str, version: str):
    catalogue = registry.get(catalogue_id, version)
    if catalogue is None:
        raise exceptions.NotFound(_("No such catalogue of indicators."))
    return catalogue


def _language(catalogue, language: str | None) -> str:
    language = language or "en"
    if language not in catalogue.texts:
        raise exceptions.ValidationError(
            {
                "language": [
                    _("Choose one of: %(languages)s.")
                    % {"languages": ", ".join(catalogue.languages)}
                ]
            }
        )
    return language


def catalogue_summary(catalogue) -> dict:
    return {
        "catalogue": catalogue.id,
        "version": catalogue.version,
        "title": catalogue.texts_for("en").title,
        "languages": list(catalogue.languages),
        "verified": catalogue.verified,
        "source": catalogue.source,
        "sets": [
            {"id": s.id, "audience": s.audience, "form": s.form, "verified": s.verified}
            for s in catalogue.sets.values()
        ],
    }


def catalogue_in(catalogue, language: str) -> dict:
    texts = catalogue.texts[language]
    return {
        **catalogue_summary(catalogue),
        "language": language,
        "title": texts.title,
        "rule": {
            "verified": catalogue.rule.verified,
            "groups": {k: sorted(v) for k, v in catalogue.rule.groups.items()},
            "dimension_met_when": list(catalogue.rule.clauses),
            "elements": {k: list(v) for k, v in catalogue.elements.items()},
            "assessment": {k: list(v) for k, v in catalogue.rule.assessment.items()},
            "notes": [texts.notes[n] for n in catalogue.rule.notes],
        },
        "dimensions": [{"id": d, "name": texts.dimensions[d]} for d in catalogue.dimensions],
        "sets": [
            {
                "id": s.id,
                "name": texts.sets[s.id],
                "audience": s.audience,
                "form": s.form,
                "verified": s.verified,
                "notes": [texts.notes[n] for n in s.notes],
                "indicators": [
                    {
                        "id": i.id,
                        "dimension": i.dimension,
                        "strength": i.strength,
                        "text": texts.indicator(i),
                        "uncertain": texts.uncertain[i.uncertain] if i.uncertain else None,
                    }
                    for i in s.indicators
                ],
            }
            for s in catalogue.sets.values()
        ],
    }


def result_data(catalogue, result: rule.Result, language: str) -> dict:
    summary = summarise(catalogue, result, language)
    return {
        "catalogue": result.catalogue,
        "version": result.version,
        "set": result.set_id,
        "audience": result.audience,
        "assessment": result.assessment.key,
        "explanation": summary.assessment_text,
        "label": _(
            "A screening result: it supports, and never replaces, a professional’s judgement "
            "and the identification by the competent authority."
        ),
        "verified": summary.verified,
        "notes": summary.notes,
        "answers": {i: a.value for i, a in result.answers.items()},
        "elements": [
            {
                "id": e.element,
                "status": e.status.key,
                "required": e.required,
                "met_by": list(e.met_by),
            }
            for e in result.elements
        ],
        "dimensions": [
            {
                "id": d.dimension,
                "status": d.status.key,
                "explanation": line.explanation,
                "clause": d.clause,
                "carried_by": [i.id for i in d.carried_by],
                "yes": [i.id for i in d.yes],
                "unknown": [i.id for i in d.unknown],
            }
            for d, line in zip(result.dimensions, summary.dimensions, strict=True)
        ],
    }


class EvaluateSerializer(StrictSerializer):
    catalogue = serializers.CharField(max_length=40)
    version = serializers.CharField(max_length=20)
    set = serializers.CharField(max_length=40, required=False)
    form = serializers.ChoiceField(choices=FORMS, required=False)
    age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    age_estimate = serializers.ChoiceField(choices=AUDIENCES, required=False, allow_null=True)
    language = serializers.CharField(max_length=10, required=False, default="en")
    answers = serializers.JSONField()

    def validate_answers(self, value):
        if isinstance(value, list):
            seen: dict[str, str] = {}
            for row in value:
                if not isinstance(row, dict) or set(row) != {"id", "answer"}:
                    raise serializers.ValidationError(
                        _('Give each answer as {"id": ..., "answer": ...}.')
                    )
                previous = seen.setdefault(str(row["id"]), row["answer"])
                if previous != row["answer"]:
                    raise serializers.ValidationError(
                        _("%(id)s is answered twice, differently.") % {"id": row["id"]}
                    )
            value = seen
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Give the answers as an object or a list."))
        if len(value) > ANSWERS_MAX:
            raise serializers.ValidationError(_("Too many answers."))
        return {str(k): v for k, v in value.items()}


def _set_for(catalogue, data, *, age=None, estimate=None):
    """The set the request names, checked against the age; or the one the facts choose."""
    named = data.get("set")
    if named:
        indicator_set = catalogue.sets.get(named)
        if indicator_set is None:
            raise exceptions.ValidationError({"set": [_("No such set in this catalogue.")]})
        if data.get("form", indicator_set.form) != indicator_set.form:
            raise exceptions.ValidationError(
                {
                    "form": [
                        _("The set %(set)s is for another form of exploitation.")
                        % {"set": indicator_set.id}
                    ]
                }
            )
        if age is None and not estimate:
            return indicator_set
        form = indicator_set.form
    elif "form" in data:
        indicator_set, form = None, data["form"]
    else:
        raise exceptions.ValidationError({"form": [_("Name a set, or the form of exploitation.")]})
    try:
        chosen = catalogue.choose_set(form=form, age=age, age_estimate=estimate)
    except SetChoiceError as error:
        raise exceptions.ValidationError({"age": [SET_CHOICE_ERRORS[str(error)]]}) from error
    if indicator_set is not None and chosen.id != indicator_set.id:
        raise exceptions.ValidationError(
            {"set": [_("The age given needs the set %(set)s.") % {"set": chosen.id}]}
        )
    return chosen


def _resolve(data):
    """The catalogue, set and audience named by the request, or a clear 400."""
    catalogue = _catalogue(data["catalogue"], data["version"])
    language = _language(catalogue, data.get("language"))
    age, estimate = data.get("age"), data.get("age_estimate")
    indicator_set = _set_for(catalogue, data, age=age, estimate=estimate)
    audience = indicator_set.audience
    if audience == "any":
        audience = audience_of(age=age, age_estimate=estimate)
    return catalogue, indicator_set, audience, language


def _evaluated(catalogue, indicator_set, answers, audience):
    try:
        return rule.evaluate(catalogue, indicator_set, answers, audience=audience)
    except rule.AnswerError as error:
        raise exceptions.ValidationError(
            {"answers": [services.answer_error_message(error)]}
        ) from error


class CatalogueListView(APIView):
    policy_action = "screening.use"

    @extend_schema(
        operation_id="screening_catalogues_list",
        summary="The indicator catalogues",
        responses={200: dict, **ERRORS},
    )
    def get(self, request):
        return Response([catalogue_summary(c) for c in registry.catalogues().values()])


class CatalogueDetailView(APIView):
    policy_action = "screening.use"

    @extend_schema(
        operation_id="screening_catalogues_retrieve",
        summary="One catalogue version in one language",
        parameters=[OpenApiParameter("language", str, description="en, sv, ...")],
        responses={200: dict, **ERRORS},
    )
    def get(self, request, catalogue_id, version):
        catalogue = _catalogue(catalogue_id, version)
        return Response(
            catalogue_in(catalogue, _language(catalogue, request.query_params.get("language")))
        )


class EvaluateView(APIView):
    policy_action = "screening.use"
    parser_classes = [StrictJSONParser]

    @extend_schema(
        summary="Evaluate answers without storing them",
        request=EvaluateSerializer,
        responses={200: dict, **ERRORS},
    )
    def post(self, request):
        serializer = EvaluateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        catalogue, indicator_set, audience, language = _resolve(data)
        result = _evaluated(catalogue, indicator_set, data["answers"], audience)
        return Response(result_data(catalogue, result, language))


class ScreeningInputSerializer(EvaluateSerializer):
    note = serializers.CharField(
        max_length=services.NOTE_MAX, required=False, allow_blank=True, default=""
    )
    age = None
    age_estimate = None


class CaseScreeningsView(APIView):
    """A case's screenings, and recording one; both within the case's access policy."""

    policy_action = "case.list"
    parser_classes = [StrictJSONParser]

    def _views(self, request, case_uuid):
        try:
            return selectors.case_screenings(
                request.membership, case_uuid, purpose=_purpose(request)
            )
        except case_selectors.PurposeRequired as error:
            raise PurposeMissing from error

    @extend_schema(
        summary="A case's screenings",
        parameters=[PURPOSE_HEADER],
        responses={200: dict, **ERRORS},
    )
    def get(self, request, case_uuid):
        _case, views = self._views(request, case_uuid)
        if views is None:
            return Response({"withheld": True})
        return Response(
            {
                "withheld": False,
                "results": [
                    {
                        "uuid": str(view.screening.uuid),
                        "recorded_at": view.screening.recorded_at.isoformat(),
                        "organisation": view.screening.organisation.name,
                        "language": view.screening.language,
                        "note": view.note,
                        **(
                            result_data(view.catalogue, view.result, view.screening.language)
                            if view.result
                            else {
                                "catalogue": view.screening.catalogue,
                                "version": view.screening.catalogue_version,
                                "assessment": None,
                            }
                        ),
                    }
                    for view in views
                ],
            }
        )

    @extend_schema(
        summary="Record a screening on a case",
        request=ScreeningInputSerializer,
        responses={201: dict, **ERRORS},
    )
    def post(self, request, case_uuid):
        case = case_selectors.case_for_action(
            request.membership, case_uuid, "case.screening.record"
        )
        serializer = ScreeningInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        catalogue = _catalogue(data["catalogue"], data["version"])
        language = _language(catalogue, data.get("language"))
        indicator_set = _set_for(catalogue, data, estimate=services.audience_of(case))
        screening, result = services.record_screening(
            actor=request.membership,
            case=case,
            catalogue_id=catalogue.id,
            version=catalogue.version,
            set_id=indicator_set.id,
            language=language,
            answers=data["answers"],
            note=data["note"],
        )
        body = {"uuid": str(screening.uuid), **result_data(catalogue, result, language)}
        return Response(body, status=status.HTTP_201_CREATED)

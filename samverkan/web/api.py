"""The REST API's shell: one error format for every error, and a tiny fixed endpoint."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


def _fields(detail, prefix: str = "") -> dict:
    """Messages by field; a nested object's or a list item's field as a dotted path."""
    if not isinstance(detail, dict):
        return {}
    fields = {}
    for key, value in detail.items():
        if isinstance(value, dict):
            fields.update(_fields(value, f"{prefix}{key}."))
        else:
            items = value if isinstance(value, list) else [value]
            fields[f"{prefix}{key}"] = [str(item) for item in items]
    return fields


def exception_handler(exc, context):
    """Every error answers ``{"error": {"code", "message", "fields"}}``; never a stack trace."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    fields = _fields(detail) if isinstance(exc, exceptions.ValidationError) else {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _("The request is not valid; see the field errors.")
        if isinstance(detail, list):
            fields = {"non_field_errors": [str(item) for item in detail]}
    else:
        code = getattr(exc, "default_code", "error")
        message = str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail)
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its files served here; GET only: its renderer answers nothing else."""

    http_method_names = ["get", "head"]


class PingView(APIView):
    """Answers a fixed small document to any acting membership: a client checks
    its token with it, and the benchmarks measure the framework's floor."""

    policy_action = "dashboard.view"

    @extend_schema(
        responses=inline_serializer("Ping", {"status": serializers.CharField()}),
        summary="Check that the token works",
    )
    def get(self, request):
        return Response({"status": "ok"})

from django.http import JsonResponse


def json_error(code: str, message: str, status: int, headers: dict | None = None) -> JsonResponse:
    """The API's one error format, for answers given outside the REST framework."""
    return JsonResponse(
        {"error": {"code": code, "message": message, "fields": {}}}, status=status, headers=headers
    )

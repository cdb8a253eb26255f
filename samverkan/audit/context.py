"""What the audit log needs to know about the request being served.

Set by :class:`RequestContextMiddleware` for each request, so that services can
record the client address and request id without being handed the request.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_address: str | None = None


NO_REQUEST = RequestContext()
# RequestContext is frozen, so sharing one default is safe.
current: ContextVar[RequestContext] = ContextVar("samverkan_request", default=NO_REQUEST)


def client_address(request) -> str | None:
    """The client's address, trusting as many proxies as the operator configured."""
    from allauth.account.adapter import get_adapter

    return get_adapter().get_client_ip(request) or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = current.set(RequestContext(request.request_id, client_address(request)))
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request.request_id
        return response

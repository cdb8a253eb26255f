"""The policy, as web pages ask it."""

from functools import wraps

from django.shortcuts import redirect

from samverkan.policy import access
from samverkan.policy.cases import record_refusal


def policy_required(action: str):
    """A page for ``action``: logged in, acting as a membership the policy allows."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request)
            if request.membership is None:
                return redirect("membership-choose")
            if not access.can(request.membership, action):
                if "case_uuid" in kwargs:
                    record_refusal(request.membership, kwargs["case_uuid"])
                raise access.PolicyDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def redirect_to_login(request):
    from django.contrib.auth.views import redirect_to_login as django_redirect_to_login

    return django_redirect_to_login(request.get_full_path())

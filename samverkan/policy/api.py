"""The policy, as the REST API asks it. Deny by default: a view opens only by
naming its ``policy_action``, and the policy must allow it."""

from rest_framework.permissions import BasePermission

from samverkan.policy import access
from samverkan.policy.cases import record_refusal


class DenyByDefault(BasePermission):
    def has_permission(self, request, view) -> bool:
        action = getattr(view, "policy_action", None)
        if action is None:
            return False
        membership = getattr(request, "membership", None)
        if access.can(membership, action):
            return True
        if membership is not None and "case_uuid" in view.kwargs:
            record_refusal(membership, view.kwargs["case_uuid"])
        return False

    def has_object_permission(self, request, view, obj) -> bool:
        return access.can(getattr(request, "membership", None), view.policy_action, obj)

"""The policy, as the REST API asks it. Deny by default: a view opens only by
naming its ``policy_action``, and the policy must allow it."""

from rest_framework.permissions import BasePermission

from samverkan.policy import access


class DenyByDefault(BasePermission):
    def has_permission(self, request, view) -> bool:
        action = getattr(view, "policy_action", None)
        if action is None:
            return False
        return access.can(getattr(request, "membership", None), action)

    def has_object_permission(self, request, view, obj) -> bool:
        return access.can(getattr(request, "membership", None), view.policy_action, obj)

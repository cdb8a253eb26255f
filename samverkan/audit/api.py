from rest_framework import generics, serializers

from samverkan.audit.forms import AuditFilterForm
from samverkan.audit.models import AuditEntry
from samverkan.audit.selectors import audit_entry_list


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "sequence",
            "created_at",
            "action",
            "actor_user_id",
            "actor_membership_id",
            "organisation_id",
            "object_type",
            "object_id",
            "categories",
            "reason",
            "flags",
            "request_id",
            "entry_hash",
            "previous_hash",
        ]


class AuditEntryListView(generics.ListAPIView):
    """Audit entries this auditor may see; filters: action, object_id, date_from, date_to."""

    policy_action = "audit.view"
    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        return audit_entry_list(actor=self.request.membership, **form.cleaned_data)

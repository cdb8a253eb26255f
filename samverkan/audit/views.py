from django.core.paginator import Paginator
from django.shortcuts import render

from samverkan.accounts.models import User
from samverkan.audit.forms import AuditFilterForm
from samverkan.audit.selectors import audit_entry_list
from samverkan.policy.views import policy_required


@policy_required("audit.view")
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/audit_log.html", {"form": form, "page": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    entries = audit_entry_list(actor=request.membership, **filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    people = User.objects.in_bulk({entry.actor_user_id for entry in page})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(entry, people.get(entry.actor_user_id)) for entry in page],
        "query": query.urlencode(),
    }
    return render(request, "audit/audit_log.html", context)

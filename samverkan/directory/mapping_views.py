"""Pages of the local situation mapping: the comparison, the gaps, one mapping and its history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samverkan.directory import mapping
from samverkan.directory.forms import MappingForm
from samverkan.directory.models import SituationMapping
from samverkan.policy import access
from samverkan.policy.views import policy_required
from samverkan.web.forms import add_service_errors


def _questions():
    fields = {field.name: field for field in SituationMapping._meta.fields}
    return [(name, fields[name].verbose_name) for name in mapping.QUESTIONS]


@policy_required("mapping.view")
@require_GET
def mapping_compare(request):
    actor = request.membership
    latest = mapping.latest_mappings(actor)
    rows = [(label, [getattr(each, name) for each in latest]) for name, label in _questions()]
    return render(
        request,
        "directory/mapping_compare.html",
        {
            "mappings": latest,
            "rows": rows,
            "gaps": mapping.gaps(actor),
            "may_record": access.can(actor, "mapping.record"),
        },
    )


@policy_required("mapping.record")
@require_http_methods(["GET", "POST"])
def mapping_new(request):
    actor = request.membership
    initial = {"municipality": actor.organisation.municipality, "mapped_on": timezone.localdate()}
    form = MappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = mapping.mapping_record(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Mapping recorded."))
            return redirect(reverse("mapping-detail", args=[recorded.uuid]))
    return render(
        request, "directory/mapping_new.html", {"form": form}, status=400 if form.errors else 200
    )


@policy_required("mapping.view")
@require_GET
def mapping_detail(request, mapping_uuid):
    current, earlier = mapping.mapping_history(request.membership, mapping_uuid)
    answers = [(label, getattr(current, name)) for name, label in _questions()]
    return render(
        request,
        "directory/mapping_detail.html",
        {"mapping": current, "answers": answers, "earlier": earlier},
    )

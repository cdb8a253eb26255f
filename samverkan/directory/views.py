"""Pages of the service directory: search, a provider's own services and their free places."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samverkan.directory import hsds, selectors, services
from samverkan.directory.forms import AvailabilityForm, ServiceForm, ServiceSearchForm
from samverkan.policy import referrals as referral_policy
from samverkan.policy.views import policy_required
from samverkan.web.forms import add_service_errors


def _list_page(request, *, status=200):
    actor = request.membership
    form = ServiceSearchForm(request.GET or None)
    filters = selectors.ServiceFilters(**form.cleaned_data) if form.is_valid() else None
    found = selectors.service_search(actor, filters or selectors.ServiceFilters())
    if request.GET and not form.is_valid():
        status = 400
    return render(
        request,
        "directory/service_list.html",
        {
            "form": form,
            "services": found,
            "municipalities": selectors.municipalities(actor),
            "own": {service.pk for service in selectors.own_services(actor)},
            "may_add": referral_policy.can_manage_service(actor),
        },
        status=status,
    )


@policy_required("directory.view")
@require_GET
def service_list(request):
    return _list_page(request)


@policy_required("directory.manage")
@require_http_methods(["GET", "POST"])
def service_new(request):
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is in the directory.") % {"name": service.name})
            return redirect(reverse("service-list"))
    return render(
        request, "directory/service_new.html", {"form": form}, status=400 if form.errors else 200
    )


@policy_required("directory.manage")
@require_POST
def service_availability(request, service_uuid):
    service = selectors.service_for_change(request.membership, service_uuid)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.service_set_free_places(
                actor=request.membership, service=service, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Free places updated."))
            return redirect(reverse("service-list"))
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return _list_page(request, status=400)


@policy_required("directory.view")
@require_GET
def service_export_hsds(request):
    """The directory as Open Referral HSDS, for other directories to reuse."""
    found = selectors.service_search(request.membership, selectors.ServiceFilters())
    response = JsonResponse(hsds.export_services(found), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="directory-hsds.json"'
    return response

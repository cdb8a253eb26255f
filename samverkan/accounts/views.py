"""Pages for logging in, choosing an organisation, organisation administration,
invitations and API tokens. Thin: forms in, services and selectors out."""

from allauth.account.views import LoginView as AllauthLoginView
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.webauthn.views import RemoveWebAuthnView as AllauthRemoveWebAuthnView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.accounts import selectors, services
from samverkan.accounts.forms import (
    ApiTokenForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipChooseForm,
    MembershipForm,
    OrganisationForm,
)
from samverkan.accounts.models import Role
from samverkan.policy import access
from samverkan.policy.views import policy_required
from samverkan.web.forms import add_service_errors


class LoginView(AllauthLoginView):
    """allauth's login, answering a locked-out login with 429 Too Many Requests."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "too_many_login_attempts"):
            response.status_code = 429
        return response


class RemoveWebAuthnView(AllauthRemoveWebAuthnView):
    """allauth's key removal, refusing the last second factor as TOTP removal does."""

    def form_valid(self, form):
        adapter = get_mfa_adapter()
        if not adapter.can_delete_authenticator(self.get_object()):
            messages.error(self.request, adapter.error_messages["cannot_delete_authenticator"])
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
@require_http_methods(["GET"])
def email_address(request):
    """Shadows allauth's e-mail management: the address is the identity an
    organisation invited, so only an admin's new invitation changes it."""
    return render(request, "accounts/email_address.html")


@login_required
@require_http_methods(["GET", "POST"])
def membership_choose(request):
    form = MembershipChooseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.membership_choose(request=request, membership_uuid=form.cleaned_data["membership"])
        return redirect("dashboard")
    return render(
        request,
        "accounts/membership_choose.html",
        {"memberships": selectors.memberships_of(user=request.user), "form": form},
        status=400 if form.errors else 200,
    )


@policy_required("organisation.list")
@require_http_methods(["GET", "POST"])
def organisation_list(request):
    actor = request.membership
    form = (
        OrganisationForm(request.POST or None) if access.can(actor, "organisation.create") else None
    )
    if form is None and request.method == "POST":
        raise access.PolicyDenied
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Organisation %(name)s created.") % {"name": organisation})
            return redirect("organisation-list")
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "accounts/organisation_list.html",
        {"organisations": selectors.organisation_list(actor=actor), "form": form},
        status=status,
    )


def _roles_for(actor, allowed) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if allowed(actor, value)]


@policy_required("organisation.members.invite")
@require_http_methods(["GET", "POST"])
def organisation_members(request, organisation_uuid):
    actor = request.membership
    organisation = selectors.organisation_get(actor=actor, organisation_uuid=organisation_uuid)
    access.require(actor, "organisation.members.invite", organisation)
    form = InvitationForm(request.POST or None, roles=_roles_for(actor, access.can_invite_role))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_send(actor=actor, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent."))
            return redirect("organisation-members", organisation_uuid=organisation.uuid)
    context = {
        "organisation": organisation,
        "members": selectors.member_list(actor=actor, organisation=organisation),
        "invitations": selectors.invitation_list(actor=actor, organisation=organisation),
        "form": form,
    }
    return render(
        request, "accounts/organisation_members.html", context, status=400 if form.errors else 200
    )


@policy_required("organisation.members.invite")
@require_http_methods(["POST"])
def invitation_revoke(request, organisation_uuid, invitation_uuid):
    actor = request.membership
    organisation = selectors.organisation_get(actor=actor, organisation_uuid=organisation_uuid)
    invitation = (
        selectors.invitation_list(actor=actor, organisation=organisation)
        .filter(uuid=invitation_uuid)
        .first()
    )
    if invitation is None:
        raise access.PolicyDenied
    services.invitation_revoke(actor=actor, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("organisation-members", organisation_uuid=organisation.uuid)


@policy_required("organisation.members.change")
@require_http_methods(["GET", "POST"])
def membership_edit(request, membership_uuid):
    actor = request.membership
    membership = selectors.member_get(actor=actor, membership_uuid=membership_uuid)
    form = MembershipForm(
        request.POST or None,
        initial={"role": membership.role, "is_active": membership.is_active},
        roles=_roles_for(actor, access.can_assign_role)
        + [(membership.role, membership.get_role_display())],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change(actor=actor, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Membership updated."))
            return redirect("organisation-members", organisation_uuid=membership.organisation.uuid)
    return render(
        request,
        "accounts/membership_edit.html",
        {"membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = services.invitation_find(token=token)
    except services.InvitationInvalid:
        return render(request, "accounts/invitation_invalid.html", status=404)
    logged_in = request.user.is_authenticated
    form = None if logged_in else InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and (logged_in or form.is_valid()):
        fields = {"user": request.user} if logged_in else form.cleaned_data
        try:
            services.invitation_accept(token=token, **fields)
        except services.InvitationInvalid:
            return render(request, "accounts/invitation_invalid.html", status=404)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return render(
                    request,
                    "accounts/invitation_accept.html",
                    {"invitation": invitation},
                    status=400,
                )
            add_service_errors(form, error)
        else:
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organisation})
            return redirect("dashboard" if logged_in else "account_login")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@policy_required("api_token.manage")
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    actor = request.membership
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.api_token_create(actor=actor, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": selectors.api_token_list(actor=actor), "form": form, "secret": secret},
        status=400 if form.errors else 200,
    )


@policy_required("api_token.manage")
@require_http_methods(["POST"])
def api_token_revoke(request, token_uuid):
    token = selectors.api_token_list(actor=request.membership).filter(uuid=token_uuid).first()
    if token is None:
        raise access.PolicyDenied
    services.api_token_revoke(actor=request.membership, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("api-tokens")

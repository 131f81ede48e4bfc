"""Account pages: sign-up, confirmation, login, profile, personal data, erasure. (The user's
organisations are the organisations app's pages; the national dashboard is steering's.)"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from palier.accounts import services
from palier.accounts.forms import (
    DeleteAccountForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignupForm,
)
from palier.accounts.lockout import remember_client
from palier.accounts.queries import profile_values
from palier.accounts.tokens import InvalidTokenError
from palier.core.http import client_ip, posted


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.register_user(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                client=client_ip(request),
            )
        except services.AccountError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            # The same page whether the address was new or already had an account.
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_not_required
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@login_not_required
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.confirm_email(token)
    except InvalidTokenError:
        return render(request, "accounts/confirm_invalid.html", status=400)
    messages.success(request, _("Votre adresse e-mail est confirmée. Vous pouvez vous connecter."))
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        # This browser is now one the owner uses: the per-account limit spares it.
        remember_client(self.request, response, form.get_user().get_username())
        return response


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.request_password_reset(form.cleaned_data["email"], client_ip(request))
        except services.AccountError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@login_not_required
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_not_required
def password_reset_complete(request: HttpRequest) -> HttpResponse:
    messages.success(request, _("Votre mot de passe est changé. Vous pouvez vous connecter."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"first_name": user.first_name, "last_name": user.last_name, **profile_values(user)}
    form = ProfileForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user, **form.cleaned_data)
        messages.success(request, _("Votre profil est enregistré."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def download_my_data(request: HttpRequest) -> HttpResponse:
    data = services.export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="palier-mes-donnees-{stamp}.json"'
    return response


@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        services.erase_user(request.user)
        logout(request)
        messages.success(
            request, _("Votre compte est supprimé et vos données personnelles effacées.")
        )
        return redirect("platform:home")
    return render(request, "accounts/delete.html", {"form": form})


@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    try:
        services.resend_confirmation(request.user, client_ip(request))
    except services.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("Un nouveau lien de confirmation vous a été envoyé."))
    return redirect("accounts:profile")

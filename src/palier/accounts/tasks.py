"""Background tasks of the accounts app (django.tasks API, run by `palier db_worker`).

Tasks take ids, not addresses: task rows hold no personal data, and a user erased in the
meantime simply gets no e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from palier.accounts.models import User
from palier.accounts.tokens import make_confirmation_token
from palier.core.http import absolute_url

EMAIL_KINDS = ("confirm_email", "password_reset", "already_registered")


def _link(user: User, kind: str) -> str:
    if kind == "confirm_email":
        return absolute_url("accounts:confirm_email", make_confirmation_token(user))
    if kind == "already_registered":
        return absolute_url("accounts:login")
    return absolute_url(
        "accounts:password_reset_confirm",
        urlsafe_base64_encode(force_bytes(user.pk)),
        default_token_generator.make_token(user),
    )


@task()
def send_account_email(user_id: int, kind: str) -> bool:
    """Send the confirmation, password-reset or "you already have an account" e-mail; False
    when there is nothing to send. The bodies hold no text the user typed (no name): only
    our wording and our links."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    user = User.objects.filter(pk=user_id, is_active=True, erased_at__isnull=True).first()
    if user is None or (kind == "confirm_email" and user.email_confirmed):
        return False
    context = {"link": _link(user, kind), "reset_link": absolute_url("accounts:password_reset")}
    subject = render_to_string(f"accounts/email/{kind}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{kind}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True

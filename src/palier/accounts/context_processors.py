"""The signed-in user's platform roles, for the navigation of every page."""

from django.http import HttpRequest

from palier.accounts.roles import user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {"roles": user_roles(user) if user is not None else frozenset()}

"""The xAPI part of a user's personal data: the statements about them that Palier keeps to
send (or has sent) to the LRS, registered into accounts' registry. Erasure removes them."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.integrations.xapi.models import Statement
from palier.integrations.xapi.services import erase_statements


def export_statements(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": str(statement.id),
            "verb": statement.verb,
            "status": statement.status,
            "created_at": isoformat(statement.created_at),
            "sent_at": isoformat(statement.sent_at),
            "statement": statement.payload,
        }
        for statement in Statement.objects.filter(user=user).order_by("created_at", "pk")
    ]


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "learning_records",
        export=export_statements,
        erase=erase_statements,
        models=("integrations_xapi.Statement",),
    )

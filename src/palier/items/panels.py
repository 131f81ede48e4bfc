"""Extra sections of the item page in the authoring site, contributed by apps above items.

The item bank sits below assessments and psychometrics, so it cannot read their data; an app
that has something to show about an item (the psychometrics app: exposure, proportion
correct, times, parameters) registers a panel here, and the item page shows what each panel
returns. A panel decides itself who may see it and returns None for everyone else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from palier.items.models import Item

# A panel: (request, item) -> its HTML (already escaped, rendered from a template) or None.
ItemPanel = Callable[[HttpRequest, Item], SafeString | None]

_PANELS: list[ItemPanel] = []


def register_item_panel(panel: ItemPanel) -> ItemPanel:
    """Add a panel to the item page (idempotent: a panel registered twice shows once)."""
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def item_panels(request: HttpRequest, item: Item) -> list[SafeString]:
    """The panels `request.user` may see for `item`, in registration order."""
    rendered = (panel(request, item) for panel in _PANELS)
    return [html for html in rendered if html]

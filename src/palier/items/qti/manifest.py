"""What a content package's manifest declares: its resources (items, tests, stimuli, other
files) with their files, dependencies and Palier metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from palier.items.qti.images import package_path
from palier.items.qti.xml import PALIER, QtiError, localname


@dataclass
class Resource:
    identifier: str
    type: str
    href: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """item, test, stimulus or other (QTI 2 and 3 resource types alike)."""
        for kind in ("item", "test", "stimulus"):
            if self.type.startswith(f"imsqti_{kind}_"):
                return kind
        return "other"


def read_manifest(root: etree._Element) -> list[Resource]:
    """The manifest's resources in the order it lists them; QtiError if it is not one."""
    if localname(root) != "manifest":
        raise QtiError(
            _("imsmanifest.xml : ce n'est pas un manifeste de paquet (%(root)s)")
            % {"root": localname(root)}
        )
    resources = []
    for node in root.iter():
        if localname(node) != "resource":
            continue
        href = node.get("href")
        metadata = node.find(f".//{{{PALIER}}}item")
        resource = Resource(
            identifier=node.get("identifier", ""),
            type=node.get("type", ""),
            href=package_path(href, "") if href else None,
            metadata=dict(metadata.attrib) if metadata is not None else {},
            files=[
                path
                for child in node
                if localname(child) == "file"
                for path in (package_path(child.get("href", ""), ""),)
                if path
            ],
        )
        if href and resource.href is None:
            raise QtiError(_("imsmanifest.xml : « %(href)s » sort du paquet") % {"href": href})
        resources.append(resource)
    return resources

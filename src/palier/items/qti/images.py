"""Images inside a QTI package: each `<img>` of an item or stimulus is resolved to a file of
the package and given a provisional address in the media library, replaced by the real one
when the file is stored (`qti.bank`). An image without a text alternative, outside the
package or of a refused type makes its item a draft with the reason."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote

import lxml.html
from django.utils.translation import gettext as _

from palier.items.html import media_library_prefix
from palier.items.media import ALLOWED_FORMATS
from palier.items.services import IMAGE_TO_DESCRIBE

# Where some tools (Common Cartridge exporters) say "the root of the package".
PACKAGE_ROOT_MARKERS = ("$IMS-CC-FILEBASE$/", "%24IMS-CC-FILEBASE%24/")
PENDING_FOLDER = "qti-import/"


def package_path(href: str, base: str) -> str | None:
    """`href` (relative to the file `base`) as a path inside the package, or None when it
    leaves the package or names another site."""
    for marker in PACKAGE_ROOT_MARKERS:
        if href.startswith(marker):
            href, base = href[len(marker) :], ""
    href = unquote(href.strip())
    if not href or "://" in href or href.startswith(("/", "data:", "\\")) or ":" in href:
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), href))
    if path.startswith("../") or path == ".." or path.startswith("/"):
        return None
    return path


def pending_url(index: int, extension: str) -> str:
    return f"{media_library_prefix()}{PENDING_FOLDER}{index}.{extension}"


@dataclass
class PackageImage:
    path: str
    alt: str
    extension: str
    url: str
    codes: set[str] = field(default_factory=set)


@dataclass
class PackageImages:
    """The images the items of one package show, each once."""

    names: frozenset[str]
    images: list[PackageImage] = field(default_factory=list)

    def rewrite(self, html: str, base: str, code: str, reasons: list[str]) -> str:
        """`html` with every image pointing at its provisional library address; an image
        that cannot be kept is removed and `reasons` says why."""
        if "<img" not in html:
            return html
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        for image in list(root.iter("img")):
            source = image.get("src", "")
            path = package_path(source, base)
            extension = (path or "").rsplit(".", 1)[-1].lower()
            if path is None or path not in self.names:
                reasons.append(_("image « %(src)s » absente du paquet : retirée") % {"src": source})
                _remove(image)
                continue
            if extension not in ALLOWED_FORMATS:
                reasons.append(
                    _("image « %(src)s » refusée (formats acceptés : PNG, JPEG, WebP) : retirée")
                    % {"src": path}
                )
                _remove(image)
                continue
            alt = " ".join((image.get("alt") or "").split())
            stored = self._add(path, extension, alt, code)
            if not alt:
                reasons.append(
                    _("image « %(src)s » sans texte alternatif : décrivez-la") % {"src": path}
                )
                alt = placeholder_alt(path)
            image.attrib.clear()
            image.set("src", stored.url)
            image.set("alt", alt)
        return "".join(
            [root.text or ""] + [lxml.html.tostring(child, encoding="unicode") for child in root]
        )

    def _add(self, path: str, extension: str, alt: str, code: str) -> PackageImage:
        for image in self.images:
            if image.path == path:
                image.alt = image.alt or alt
                image.codes.add(code)
                return image
        image = PackageImage(path, alt, extension, pending_url(len(self.images), extension))
        image.codes.add(code)
        self.images.append(image)
        return image


def placeholder_alt(path: str) -> str:
    return f"{IMAGE_TO_DESCRIBE} ({posixpath.basename(path)})"


def _remove(element: lxml.html.HtmlElement) -> None:
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)

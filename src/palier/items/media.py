"""Images for items and stimuli: checked on upload (type, size, real image content) and
always described by a text alternative."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_MEDIA_BYTES = 2 * 1024 * 1024
MAX_PIXELS_PER_SIDE = 4000
# Pillow's own guard against decompression bombs (a small file that decodes to gigabytes)
# warns past Image.MAX_IMAGE_PIXELS and raises past twice that; both are refusals here.
BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
# Extension -> the format Pillow must find inside the file. SVG is refused: it can carry
# scripts.
ALLOWED_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}


class MediaError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CheckedImage:
    width: int
    height: int
    format: str


def check_image(upload: UploadedFile) -> CheckedImage:
    """Refuse anything that is not a reasonably sized PNG, JPEG or WebP image."""
    if upload.size is None or upload.size > MAX_MEDIA_BYTES:
        raise MediaError("file", _("L'image dépasse 2 Mo."))
    extension = (upload.name or "").rsplit(".", 1)[-1].lower()
    if extension not in ALLOWED_FORMATS:
        raise MediaError("file", _("Formats acceptés : PNG, JPEG, WebP."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                # The header gives the size: refuse a huge image before reading any pixel.
                width, height, found = image.width, image.height, image.format
                if max(width, height) > MAX_PIXELS_PER_SIDE:
                    raise MediaError("file", _("L'image dépasse 4000 pixels de côté."))
                image.verify()
    except MediaError:
        raise
    except BOMB_ERRORS as error:
        raise MediaError("file", _("L'image dépasse 4000 pixels de côté.")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise MediaError("file", _("Le fichier n'est pas une image lisible.")) from error
    finally:
        upload.seek(0)
    if found != ALLOWED_FORMATS[extension]:
        raise MediaError("file", _("Le contenu du fichier ne correspond pas à son extension."))
    return CheckedImage(width, height, found)

"""Reading untrusted uploads within named limits: JSON nesting depth, zip archives.

A small file can ask for a lot of memory or stack: a zip of highly compressed entries
("zip bomb"), an entry whose real size exceeds the size its header declares, JSON nested a
thousand levels deep. The readers here stop at a limit while reading, never trusting what a
file says about itself, and raise `UploadLimitError` (a ValueError) with a message that names
the limit, so that callers answer with a 4xx or a form error, never a 500.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Deepest nesting of arrays and objects accepted in an uploaded JSON text. A bank document is
# about seven levels deep (items / item / definition / options / option / text / language).
MAX_JSON_DEPTH = 32
# Zip reading is streamed in pieces of this size.
ZIP_READ_CHUNK_BYTES = 64 * 1024
# End-of-central-directory record: signature, its fixed size, the ZIP64 locator signature.
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_MAX_ZIP_COMMENT = 0xFFFF
# Bytes of central directory allowed per entry (46 fixed bytes, then name, extra, comment).
_CENTRAL_DIRECTORY_BYTES_PER_ENTRY = 1024


class UploadLimitError(ValueError):
    """An upload refused: over a limit, or lying about itself. The message says which."""


# --- JSON ----------------------------------------------------------------------------------


def json_depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value (a scalar is 0, `[]` or `{}` is 1), computed
    without recursion so that any depth can be measured."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode untrusted JSON, refusing nesting deeper than `max_depth`.

    Raises json.JSONDecodeError for malformed text and UploadLimitError for too deep a text
    (the decoder's own RecursionError included, which depends on the stack in use)."""
    too_deep = UploadLimitError(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise too_deep from error
    if json_depth(value) > max_depth:
        raise too_deep
    return value


# --- zip archives --------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """What a zip upload may hold. Sizes are in bytes, counted while decompressing."""

    max_archive_bytes: int
    max_entries: int
    max_entry_bytes: int
    max_total_bytes: int
    # Uncompressed / compressed size, checked once an entry has given `ratio_checked_from`
    # bytes (small entries may compress very well and are harmless).
    max_compression_ratio: int = 100
    ratio_checked_from: int = 1024 * 1024


def _check_central_directory(data: bytes, limits: ZipLimits) -> None:
    """Refuse, before zipfile parses it, a central directory too large for `max_entries`
    (zipfile builds one object per entry it lists, whatever the end record says), and ZIP64
    directories, which packages of this size never need."""
    tail_start = max(0, len(data) - _EOCD_SIZE - _MAX_ZIP_COMMENT)
    # zipfile uses the last end record of the file; find the same one.
    position = data.rfind(_EOCD_SIGNATURE, tail_start)
    if position < 0 or position + _EOCD_SIZE > len(data):
        raise UploadLimitError("not a zip archive")
    fields = struct.unpack("<4s4H2LH", data[position : position + _EOCD_SIZE])
    entries, directory_bytes = fields[4], fields[5]
    locator = position - _ZIP64_LOCATOR_SIZE
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR_SIGNATURE:
        raise UploadLimitError("ZIP64 archives are not accepted")
    if (
        entries > limits.max_entries
        or directory_bytes > limits.max_entries * _CENTRAL_DIRECTORY_BYTES_PER_ENTRY
    ):
        raise UploadLimitError(f"more than {limits.max_entries} files in the archive")


# What zipfile and its decompressors raise on damaged or unsupported entries: a bad CRC
# (which is how an entry longer than its declared size shows), truncated data, encryption
# (RuntimeError) or an unknown compression method (NotImplementedError).
_CORRUPT_ENTRY_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


class ZipReader:
    """An untrusted zip archive read entry by entry within `limits`.

    Nothing is decompressed up front: `read(name)` streams one entry, counting the bytes it
    really yields (the sizes declared in the headers are never trusted), and every read adds
    to the archive's budget of uncompressed bytes."""

    def __init__(self, data: bytes, limits: ZipLimits) -> None:
        if len(data) > limits.max_archive_bytes:
            raise UploadLimitError(
                f"archive larger than {limits.max_archive_bytes // (1024 * 1024)} MiB"
            )
        _check_central_directory(data, limits)
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, *_CORRUPT_ENTRY_ERRORS) as error:
            raise UploadLimitError("not a zip archive") from error
        entries = self._archive.infolist()
        if len(entries) > limits.max_entries:
            raise UploadLimitError(f"more than {limits.max_entries} files in the archive")
        self._entries = {entry.filename: entry for entry in entries if not entry.is_dir()}
        self.limits = limits
        self.total_read = 0

    def names(self) -> list[str]:
        """The names of the archive's files (directories left out)."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def read(self, name: str) -> bytes:
        """The content of entry `name`, refused past a limit or when it is corrupt."""
        return b"".join(self._chunks(name))

    def _chunks(self, name: str) -> Iterator[bytes]:
        entry = self._entries[name]
        limits = self.limits
        entry_read = 0
        try:
            with self._archive.open(entry) as stream:
                while chunk := stream.read(ZIP_READ_CHUNK_BYTES):
                    entry_read += len(chunk)
                    self.total_read += len(chunk)
                    if entry_read > limits.max_entry_bytes:
                        raise UploadLimitError(
                            f"{name}: file larger than {limits.max_entry_bytes // 1024} KiB"
                        )
                    if self.total_read > limits.max_total_bytes:
                        raise UploadLimitError(
                            "archive content larger than "
                            f"{limits.max_total_bytes // (1024 * 1024)} MiB once uncompressed"
                        )
                    if (
                        entry_read > limits.ratio_checked_from
                        and entry_read > limits.max_compression_ratio * max(entry.compress_size, 1)
                    ):
                        raise UploadLimitError(
                            f"{name}: compressed more than {limits.max_compression_ratio} "
                            "times (a zip bomb?)"
                        )
                    yield chunk
        except UploadLimitError:
            raise
        except _CORRUPT_ENTRY_ERRORS as error:
            raise UploadLimitError(
                f"{name}: damaged or unsupported zip entry (its size or checksum does not "
                "match its header, or it is encrypted)"
            ) from error

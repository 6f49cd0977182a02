"""Reading a file into text, keeping what is needed to write it back unchanged."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from typing import Optional


class SourceError(Exception):
    """The file cannot be read or decoded; reported as LGT000, never raised past lint."""

    def __init__(self, message: str, row: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass(frozen=True)
class SourceFile:
    text: str
    encoding: str  # the codec to write it back with ("utf-8-sig" keeps a BOM)
    newline: str


def decode(data: bytes) -> SourceFile:
    if b"\x00" in data:
        row = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError("source contains a NUL byte; not a Python text file", row)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "missing encoding" not in str(error.msg):
            raise SourceError(f"cannot determine the encoding: {error.msg}") from None
        encoding = "utf-8"  # undecodable bytes and no cookie: report where they are
    try:
        text = data.decode(encoding)
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in the coding declaration") from None
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            f"cannot decode byte 0x{data[error.start]:02x} as {encoding}", row, column
        ) from None
    return SourceFile(text, encoding, _newline(text))


def read_bytes(path: str) -> bytes:
    """A file's bytes; SourceError (reported as LGT000) when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror or error}") from None


def read(path: str) -> SourceFile:
    return decode(read_bytes(path))


def encode(text: str, encoding: str) -> bytes:
    """The bytes to write back: the file's own codec, so a BOM stays a BOM."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        message = f"the fixed text cannot be encoded as {encoding}: {error.reason}"
        raise SourceError(message) from None


def write(path: str, data: bytes) -> None:
    """Replace the file's content atomically, keeping its permission bits.

    The bytes go to a temporary file in the same directory, are flushed to disk, and
    the temporary file is renamed over the original: a reader (or a crash) sees the old
    file or the new one, never half of each. A symbolic link is followed, so the link
    stays a link and its target is what changes.

    A file its owner made read-only is refused, as opening it for writing would be
    (the rename alone would not care: it needs only a writable directory).
    """
    import tempfile  # here: linting (the editor path) never writes

    target = os.path.realpath(path)
    directory, name = os.path.split(target)
    try:
        info = os.stat(target)
        if not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, "the file is read-only", target)
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise SourceError(f"cannot write file: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        with contextlib.suppress(OSError):  # only possible as root; best effort
            os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise SourceError(f"cannot write file: {error.strerror or error}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _newline(text: str) -> str:
    index: Optional[int] = text.find("\n")
    if index is not None and index > 0 and text[index - 1] == "\r":
        return "\r\n"
    if index == -1 and "\r" in text:
        return "\r"
    return "\n"

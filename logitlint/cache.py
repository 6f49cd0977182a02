"""The result cache: an unchanged file is never parsed twice.

A run's results depend on three things, and so does the cache:

- the *engine*: the package version and a hash of logitlint's own source files
  (rules, analysis, engine), so that editing a rule in a development checkout
  invalidates what it produced;
- the *settings*: ``Settings.fingerprint()`` (every setting of the file's
  configuration group: enabled rules, severities, per-file ignores, ...);
- the *file*: its name as reported and a hash of its bytes.

The first two name one index file, ``<cache dir>/<version>/<key>.json``, mapping
each file name to the hash of the content it was linted with and the diagnostics it
produced (empty for a clean or prefiltered file). A warm run reads that one index,
hashes each file's bytes and compares: no parse, no rule, not even the libcst import.

The index is written whole, to a temporary file renamed over the old one, so a
reader never sees half of it. A corrupt index, or a corrupt entry in it, is ignored
and rebuilt. Results with internal errors are never stored. Concurrent runs may
each write their own index over the other's: entries are lost, never wrong.

The directory is ``.logitlint_cache`` in the working directory, or
``LOGITLINT_CACHE_DIR``; ``logitlint clean`` removes it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from typing import TYPE_CHECKING, Any, Optional

from logitlint import __version__
from logitlint.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    LintResult,
    Location,
    Severity,
)

if TYPE_CHECKING:
    from logitlint.settings import Settings

CACHE_DIR_NAME = ".logitlint_cache"
ENV_VAR = "LOGITLINT_CACHE_DIR"
_FORMAT = 1  # bump when the index layout changes


def cache_dir() -> str:
    return os.environ.get(ENV_VAR) or CACHE_DIR_NAME


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]  # SHA-256 runs in hardware on most CPUs


def source_hash() -> str:
    """A hash of every Python source file of logitlint, rules included.

    Read, not imported: computing it must not import libcst.
    """
    import importlib.util

    roots: list[str] = []
    for package in ("logitlint", "logitlint.rules"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            roots.extend(spec.submodule_search_locations)
    hasher = hashlib.blake2b(digest_size=16)
    for root in sorted(set(roots)):
        for directory, subdirectories, files in os.walk(root):
            subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    hasher.update(os.path.relpath(path, root).encode())
                    with open(path, "rb") as handle:
                        hasher.update(handle.read())
    return hasher.hexdigest()


def settings_key(settings: Settings) -> str:
    """A hash of the settings' ``fingerprint()`` with the engine's identity.

    The output format only decides how results are printed, so it is left out:
    ``--output-format json`` after a plain run is answered from the cache.
    """
    from logitlint.settings import DEFAULT_OUTPUT_FORMAT

    linting = dataclasses.replace(settings, output_format=DEFAULT_OUTPUT_FORMAT)
    text = json.dumps(
        {
            "format": _FORMAT,
            "version": __version__,
            "source": source_hash(),
            "settings": linting.fingerprint(),
        },
        sort_keys=True,
    )
    return digest(text.encode())


class Cache:
    def __init__(self, settings: Settings, directory: Optional[str] = None) -> None:
        self.directory = os.path.join(directory or cache_dir(), __version__)
        self.path = os.path.join(self.directory, settings_key(settings) + ".json")
        self._entries: dict[str, Any] = self._load()
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                entries = json.load(handle)
        except (OSError, ValueError):
            return {}  # no index yet, or a corrupt one: rebuilt by this run
        return entries if isinstance(entries, dict) else {}

    def get(self, filename: str, content_digest: str) -> Optional[list[Diagnostic]]:
        """The diagnostics stored for this file name and content, if any."""
        entry = self._entries.get(filename)
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != content_digest:
            return None
        try:
            return [decode(filename, item) for item in entry[1]]
        except (KeyError, TypeError, ValueError, IndexError):
            return None  # a corrupt entry: linted again and replaced

    def put(self, filename: str, content_digest: str, result: LintResult) -> None:
        if result.internal_errors or any(d.extra for d in result.diagnostics):
            return  # retried next run; ``extra`` may hold what JSON cannot
        self._entries[filename] = [content_digest, [encode(d) for d in result.diagnostics]]
        self._dirty = True

    def save(self) -> None:
        """Write the index atomically; a cache that cannot be written is no error."""
        if not self._dirty:
            return
        try:
            _prepare(os.path.dirname(self.directory))
            os.makedirs(self.directory, exist_ok=True)
            temporary = f"{self.path}.{os.getpid()}.tmp"
            try:
                with open(temporary, "w", encoding="utf-8") as out:
                    json.dump(self._entries, out, separators=(",", ":"))
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return
        self._dirty = False


def _prepare(root: str) -> None:
    """Create the cache root with a ``.gitignore`` so that it is never committed."""
    os.makedirs(root, exist_ok=True)
    ignore = os.path.join(root, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as handle:
            handle.write("# Automatically created by logitlint.\n*\n")


def clean(directory: Optional[str] = None) -> bool:
    """Remove the cache directory; True if there was one."""
    root = directory or cache_dir()
    if not os.path.isdir(root):
        return False
    import shutil

    shutil.rmtree(root)
    return True


# --- diagnostics as JSON --------------------------------------------------------

# The Diagnostic fields the codec stores; a test fails when Diagnostic gains one.
ENCODED_FIELDS = frozenset(
    {
        "code", "name", "message", "filename", "location", "end_location", "severity",
        "url", "fix", "noqa_row", "cell", "extra",
    }
)  # fmt: skip


def _location(location: Location) -> list[int]:
    return [location.row, location.column]


def _read_location(raw: Any) -> Location:
    row, column = raw
    if type(row) is not int or type(column) is not int:
        raise ValueError("location")
    return Location(row, column)


def _optional_int(raw: Any) -> Optional[int]:
    if raw is not None and type(raw) is not int:
        raise ValueError("not an int")
    return raw


def encode(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic without its file name (the entry is filed under it)."""
    fix = diagnostic.fix
    record: dict[str, Any] = {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "location": _location(diagnostic.location),
        "end_location": _location(diagnostic.end_location),
        "severity": diagnostic.severity.value,
        "url": diagnostic.url,
        "noqa_row": diagnostic.noqa_row,
        "cell": diagnostic.cell,
        "fix": None,
    }
    if fix is not None:
        record["fix"] = {
            "message": fix.message,
            "applicability": fix.applicability.value,
            "edits": [
                [_location(e.location), _location(e.end_location), e.content] for e in fix.edits
            ],
        }
    return record


def decode(filename: str, record: dict[str, Any]) -> Diagnostic:
    """The inverse of ``encode``; raises on anything malformed (a corrupt entry)."""
    fix: Optional[Fix] = None
    if record["fix"] is not None:
        raw = record["fix"]
        edits = tuple(
            Edit(_read_location(start), _read_location(end), _text(content))
            for start, end, content in raw["edits"]
        )
        fix = Fix(_text(raw["message"]), Applicability(raw["applicability"]), edits)
    url = record["url"]
    return Diagnostic(
        code=_text(record["code"]),
        name=_text(record["name"]),
        message=_text(record["message"]),
        filename=filename,
        location=_read_location(record["location"]),
        end_location=_read_location(record["end_location"]),
        severity=Severity(record["severity"]),
        url=None if url is None else _text(url),
        fix=fix,
        noqa_row=_optional_int(record["noqa_row"]),
        cell=_optional_int(record["cell"]),
    )


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError("not a string")
    return raw

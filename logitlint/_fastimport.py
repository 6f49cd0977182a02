"""Import libcst in half the time, by not compiling its dataclass methods again.

``import libcst`` defines some 250 node classes with ``@dataclass``, and the
standard library writes each class's ``__init__``, ``__eq__``, ``__repr__``...
as source text and compiles it, on every start: about 60% of libcst's import time,
and the largest part of the editor path's third of a second.

While libcst is being imported (with logitlint's engine), and while the CLI's own
modules are (``logitlint.__main__``), this module shadows ``exec`` in the
``dataclasses`` module with one that keeps the compiled code of each generated
source text, and stores the table (one per such import) with ``marshal`` beside
logitlint's own ``.pyc`` files (same trust as those, same
``PYTHONDONTWRITEBYTECODE`` rule). The code object
is exactly what ``exec(text)`` would compile there (same file name, no inherited
``__future__`` flags), so the classes are the same; anything unexpected (another
Python, a missing or unreadable table, a ``dataclasses`` that does not call
``exec``) falls back to the ordinary import.

It also defers ``libcst.metadata``: ``import libcst`` runs that package's
``__init__``, which imports every metadata provider (scopes, type inference, a
repository manager that imports ``subprocess``...), a quarter of the import time,
while logitlint never uses metadata. The package is put in place as a module
whose ``__init__`` runs on the first attribute it is asked for that it does not
have yet; the two submodules ``libcst/__init__`` needs load as usual. Code that
does use ``libcst.metadata`` (a test, a plugin) gets the whole package then.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import types
from collections.abc import Sequence
from typing import Any, Optional

_DEFERRED = "libcst.metadata"


def _table_path(table: str = "libcst") -> Optional[str]:
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    name = f"{table}-dataclasses.{tag}.opt{sys.flags.optimize}.marshal{marshal.version}"
    return os.path.join(os.path.dirname(__file__), "__pycache__", name)


def import_libcst(also: Sequence[str] = ()) -> Optional[int]:
    """Import libcst, then the modules ``also`` names (logitlint's engine, whose
    analysis defines dataclasses of its own); returns how many dataclass methods had
    to be compiled.

    None when the table was not used (libcst already imported, or no place for it).
    """
    if "libcst" in sys.modules:
        _import(also)
        return None
    deferred = _defer(_DEFERRED)
    try:
        compiled = import_compiled(("libcst", *also), "libcst")
    except BaseException:
        if deferred is not None and sys.modules.get(_DEFERRED) is deferred:
            del sys.modules[_DEFERRED]
        raise
    if deferred is not None:
        sys.modules["libcst"].metadata = sys.modules[_DEFERRED]  # type: ignore[attr-defined]
    return compiled


def import_compiled(names: Sequence[str], table: str) -> Optional[int]:
    """Import ``names`` (in order) with the dataclass methods from the code table
    ``table``; returns how many had to be compiled (None: the table was not used).

    Each table holds what one such import used, so one process's imports fill it
    the same way every time (the CLI's own modules: ``startup``; libcst and the
    engine: ``libcst``).
    """
    import dataclasses

    path = _table_path(table)
    if path is None or hasattr(dataclasses, "exec") or all(n in sys.modules for n in names):
        _import(names)
        return None
    stored = _load(path)
    used: dict[str, Any] = {}
    compiled = 0

    def cached_exec(source: Any, globals: Any = None, locals: Any = None) -> None:
        nonlocal compiled
        if isinstance(source, str):
            code = stored.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)
                compiled += 1
            used[source] = code
            source = code
        builtins.exec(source, globals, locals)

    dataclasses.exec = cached_exec  # type: ignore[attr-defined]
    try:
        _import(names)
    finally:
        del dataclasses.exec  # type: ignore[attr-defined]
    if compiled and not sys.dont_write_bytecode:
        _save(path, used)
    return compiled


def _import(names: Sequence[str]) -> None:
    for name in names:
        importlib.import_module(name)


class _DeferredPackage(types.ModuleType):
    """A package whose ``__init__`` runs when it is first asked for a missing name."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__all__":  # probing, not a use
            raise AttributeError(name)
        self.__class__ = types.ModuleType  # type: ignore[assignment]  # once only
        self.__spec__.loader.exec_module(self)  # type: ignore[union-attr]
        return getattr(self, name)


def _defer(name: str) -> Optional[types.ModuleType]:
    """Put a deferred stand-in for the package ``name`` in ``sys.modules``.

    None (nothing done) when it is already imported or cannot be found without
    importing its parent.
    """
    if name in sys.modules:
        return None
    parent, _, _ = name.rpartition(".")
    parent_spec = importlib.util.find_spec(parent)  # a top-level name: imports nothing
    locations = parent_spec.submodule_search_locations if parent_spec else None
    if not locations:
        return None
    spec = importlib.machinery.PathFinder.find_spec(name, list(locations))
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return None
    module = _DeferredPackage(name)
    module.__spec__ = spec
    module.__loader__ = spec.loader
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = name
    sys.modules[name] = module
    return module


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            table = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return table if isinstance(table, dict) else {}


def _save(path: str, table: dict[str, Any]) -> None:
    """Atomically, and only the entries this import used: stale ones drop out."""
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps(table))
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)

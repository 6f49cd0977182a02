"""Configuration files: finding them, reading them, and refusing what they cannot mean.

A configuration is the ``[tool.logitlint]`` table of a ``pyproject.toml`` or the top
level of a ``logitlint.toml``. For each linted file the nearest one wins, found by
walking up from the file's directory (a ``logitlint.toml`` beats a ``pyproject.toml``
in the same directory; a ``pyproject.toml`` without the table is not a configuration).
Nothing is merged across files: the nearest configuration is the whole configuration,
as in ruff, so a reader of one file knows everything that applies.

Every key and value is checked when the file is read. A misspelt key, a value of the
wrong type or a rule code that does not exist is an error naming the file and the key
(exit 2), never a silent no-op: a typo in ``ignore`` must not quietly re-enable a rule.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9 and 3.10 only
    import tomli as tomllib

from logitlint.diagnostics import Severity

CONFIG_NAMES = ("logitlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration file that cannot be read or means nothing valid: exit 2."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class ConfigFile:
    """One validated configuration. ``options`` keys are the TOML keys, values checked."""

    path: str  # absolute
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def root(self) -> str:
        """Patterns (``exclude``, ``per-file-ignores``) are relative to this directory."""
        return os.path.dirname(self.path)


def _table_name(path: str) -> str:
    return "[tool.logitlint]" if os.path.basename(path) == "pyproject.toml" else ""


def _string_list(path: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(path, f"{key}: expected a list of strings, got {value!r}")
    return list(value)


def _selector_list(path: str, key: str, value: Any) -> list[str]:
    from logitlint.registry import SelectorError, expand

    selectors = _string_list(path, key, value)
    for selector in selectors:
        try:
            expand(selector)
        except SelectorError as error:
            raise ConfigError(path, f"{key}: {error}") from None
    return [selector.strip().upper() for selector in selectors]


def _bool(path: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"{key}: expected true or false, got {value!r}")
    return value


def _output_format(path: str, key: str, value: Any) -> str:
    from logitlint.output import FORMATS

    if value not in FORMATS:
        choices = ", ".join(FORMATS)
        raise ConfigError(path, f"{key}: unknown output format {value!r} (one of: {choices})")
    return str(value)


def _per_file_ignores(path: str, key: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ConfigError(path, f"{key}: expected a table of glob = [codes], got {value!r}")
    return {
        pattern: _selector_list(path, f"{key}.{pattern!r}", codes)
        for pattern, codes in value.items()
    }


def _severity(path: str, key: str, value: Any) -> dict[str, Severity]:
    from logitlint.registry import SelectorError, expand

    if not isinstance(value, dict):
        raise ConfigError(path, f"{key}: expected a table of CODE = level, got {value!r}")
    levels = ", ".join(level.value for level in Severity)
    result: dict[str, Severity] = {}
    for selector, level in value.items():
        try:
            expand(selector)
        except SelectorError as error:
            raise ConfigError(path, f"{key}: {error}") from None
        if level not in {s.value for s in Severity}:
            raise ConfigError(
                path, f"{key}.{selector}: unknown severity {level!r} (one of: {levels})"
            )
        result[selector.strip().upper()] = Severity(level)
    return result


# key -> validator(path, key, raw value) -> checked value
KEYS: dict[str, Callable[[str, str, Any], Any]] = {
    "select": _selector_list,
    "extend-select": _selector_list,
    "ignore": _selector_list,
    "per-file-ignores": _per_file_ignores,
    "exclude": _string_list,
    "extend-exclude": _string_list,
    "fix": _bool,
    "fixable": _selector_list,
    "unfixable": _selector_list,
    "unsafe-fixes": _bool,
    "output-format": _output_format,
    "severity": _severity,
}


def validate(path: str, table: Any) -> dict[str, Any]:
    """The checked options of one configuration table; raises ConfigError."""
    prefix = _table_name(path)
    if not isinstance(table, dict):
        raise ConfigError(path, f"{prefix or 'the file'} must be a table")
    options: dict[str, Any] = {}
    for key, value in table.items():
        checker = KEYS.get(key)
        where = f"{prefix} {key}".strip()
        if checker is None:
            hint = _close_key(key)
            suffix = f" (did you mean {hint!r}?)" if hint else ""
            raise ConfigError(path, f"unknown key {where!r}{suffix}")
        options[key] = checker(path, where, value)
    return options


def _close_key(key: str) -> Optional[str]:
    import difflib

    matches = difflib.get_close_matches(key.replace("_", "-"), list(KEYS), n=1, cutoff=0.75)
    return matches[0] if matches else None


def load(path: str) -> Optional[ConfigFile]:
    """Read ``path``; None for a ``pyproject.toml`` without ``[tool.logitlint]``."""
    path = os.path.abspath(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(path, f"cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"invalid TOML: {error}") from None
    except UnicodeDecodeError as error:  # tomllib decodes without saying where
        raise ConfigError(path, f"invalid TOML: not UTF-8 (byte {error.start})") from None
    except RecursionError:
        raise ConfigError(path, "invalid TOML: nested too deeply") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "logitlint" not in tool:
            return None
        data = tool["logitlint"]
    return ConfigFile(path, validate(path, data))


def load_explicit(path: str) -> ConfigFile:
    """``--config PATH``: the file must exist and hold a configuration."""
    if not os.path.isfile(path):
        raise ConfigError(path, "no such configuration file")
    found = load(path)
    if found is None:
        raise ConfigError(path, "has no [tool.logitlint] table")
    return found


@cache
def _in_directory(directory: str) -> Optional[ConfigFile]:
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            found = load(candidate)
            if found is not None:
                return found
    return None


@cache
def find(directory: str) -> Optional[ConfigFile]:
    """The nearest configuration at or above ``directory`` (an absolute path)."""
    own = _in_directory(directory)
    if own is not None:
        return own
    parent = os.path.dirname(directory)
    return None if parent == directory else find(parent)


def clear_cache() -> None:
    """Forget what was read: the language server calls this when a config file changes."""
    _in_directory.cache_clear()
    find.cache_clear()

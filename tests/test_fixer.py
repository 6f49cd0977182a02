"""The fix loop and the writer: rounds, overlaps, failures, bounds, bytes on disk."""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

import pytest

from logitlint import fixer, source
from logitlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from logitlint.engine import LintResult
from logitlint.registry import all_codes
from logitlint.runner import Fixing, Settings, fix_path, fix_source

SETTINGS = Settings(enabled=frozenset(all_codes()))


def _diagnostic(
    start: tuple[int, int],
    end: tuple[int, int],
    content: str,
    applicability: Applicability = Applicability.SAFE,
    code: str = "LGT002",
) -> Diagnostic:
    location, end_location = Location(*start), Location(*end)
    edit = Edit(location, end_location, content)
    return Diagnostic(
        code=code,
        name="test",
        message="m",
        filename="t.py",
        location=location,
        end_location=end_location,
        severity=Severity.WARNING,
        fix=Fix("f", applicability, (edit,)),
    )


def _fake_lint(rule: object) -> fixer.Lint:
    """A lint whose diagnostics are computed by ``rule(text)``, to drive the loop."""

    def lint(text: str) -> LintResult:
        return LintResult(diagnostics=list(rule(text)), text=text)  # type: ignore[operator]

    return lint


# --- rounds and overlaps -----------------------------------------------------------


def test_fixes_needing_imports_at_one_place_take_two_rounds() -> None:
    text = textwrap.dedent(
        """\
        import numpy as np
        from scipy.special import expit, softmax

        a = np.log(expit(x))
        b = np.log(softmax(x, axis=-1))
        """
    )
    outcome = fix_source(text, "t.py", SETTINGS)
    assert outcome.fixed == {"LGT002": 2}
    assert outcome.rounds == 2  # both insert an import after line 2: the second waits
    assert outcome.text == textwrap.dedent(
        """\
        import numpy as np
        from scipy.special import expit, softmax
        from scipy.special import log_expit
        from scipy.special import log_softmax

        a = log_expit(x)
        b = log_softmax(x, axis=-1)
        """
    )
    assert not outcome.result.diagnostics


def test_select_defers_overlaps_and_applies_an_identical_edit_once() -> None:
    text = "abcdef\n"
    first = _diagnostic((1, 1), (1, 4), "X")
    overlapping = _diagnostic((1, 3), (1, 5), "Y")
    same = _diagnostic((1, 1), (1, 4), "X")
    touching = _diagnostic((1, 4), (1, 6), "Z")  # meets `first` at a point: both fine
    insertion = _diagnostic((1, 6), (1, 6), "!")  # an insertion where `touching` ends
    edits, chosen = fixer.select(text, [first, overlapping, same, touching, insertion], False)
    assert chosen == [first, same, touching]
    assert fixer.apply_edits(text, edits) == "XZf\n"


def test_unsafe_and_display_only_fixes() -> None:
    unsafe = _diagnostic((1, 1), (1, 2), "u", Applicability.UNSAFE)
    display = _diagnostic((1, 3), (1, 4), "d", Applicability.DISPLAY_ONLY)
    assert fixer.select("abcd\n", [unsafe, display], False)[1] == []
    assert fixer.select("abcd\n", [unsafe, display], True)[1] == [unsafe]


def test_round_that_does_not_parse_leaves_the_file_unchanged() -> None:
    text = "import torch\ny = torch.log(x)\n"

    def rule(current: str) -> list[Diagnostic]:
        return [_diagnostic((2, 5), (2, 10), "torch.(", code="LGT002")]

    outcome = fixer.fix_text(text, "t.py", _fake_lint(rule))
    assert outcome.text == text and not outcome.changed and not outcome.fixed
    (error,) = outcome.internal_errors
    assert "LGT002" in error and "does not parse" in error and error.startswith("t.py:")


def test_loop_is_bounded() -> None:
    def rule(current: str) -> list[Diagnostic]:  # always one more fix: never converges
        return [_diagnostic((1, 1), (1, 1), "#")]

    outcome = fixer.fix_text("x = 1\n", "t.py", _fake_lint(rule), max_rounds=4)
    assert outcome.rounds == 4
    assert outcome.text == "####x = 1\n"
    assert outcome.fixed == {"LGT002": 4}


def test_loop_stops_on_a_cycle() -> None:
    def rule(current: str) -> list[Diagnostic]:  # a -> b -> a ...
        return [_diagnostic((1, 1), (1, 2), "b" if current.startswith("a") else "a")]

    outcome = fixer.fix_text("a = 1\n", "t.py", _fake_lint(rule))
    assert outcome.rounds == 1 and outcome.text == "b = 1\n"


def test_suppressed_and_unparseable_code_is_not_fixed() -> None:
    quiet = "import torch\ny = torch.log(torch.sigmoid(x))  # noqa: LGT002\n"
    assert not fix_source(quiet, "t.py", SETTINGS).changed
    broken = "import torch\ny = torch.log(torch.sigmoid(x)\n"
    outcome = fix_source(broken, "t.py", SETTINGS)
    assert not outcome.changed
    assert [d.code for d in outcome.result.diagnostics] == ["LGT000"]


def test_fix_that_would_delete_a_comment_is_unsafe() -> None:
    text = "import torch\ny = torch.log(  # why\n    torch.sigmoid(x)\n)\n"
    assert not fix_source(text, "t.py", SETTINGS).changed
    assert fix_source(text, "t.py", SETTINGS, unsafe=True).changed


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = fixer.unified_diff("a\nb", "a\nc", "t.py")
    assert diff.splitlines()[:2] == ["--- t.py", "+++ t.py"]
    assert "-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n" in diff


# --- the bytes on disk ------------------------------------------------------------

_MISUSE = "import torch\n\ny = torch.log(torch.sigmoid(x))\n"
_FIXED = "import torch\n\ny = torch.nn.functional.logsigmoid(x)\n"


@pytest.mark.parametrize(
    "data, expected",
    [
        (_MISUSE.encode(), _FIXED.encode()),
        (_MISUSE.replace("\n", "\r\n").encode(), _FIXED.replace("\n", "\r\n").encode()),
        (b"\xef\xbb\xbf" + _MISUSE.encode(), b"\xef\xbb\xbf" + _FIXED.encode()),
        (
            ("# -*- coding: latin-1 -*-\n# \u00e9t\u00e9\n" + _MISUSE).encode("latin-1"),
            ("# -*- coding: latin-1 -*-\n# \u00e9t\u00e9\n" + _FIXED).encode("latin-1"),
        ),
    ],
    ids=["lf", "crlf", "bom", "latin-1"],
)
def test_write_keeps_encoding_bom_and_line_endings(
    tmp_path: Path, data: bytes, expected: bytes
) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(data)
    outcome = fix_path(str(path), SETTINGS, Fixing())
    assert outcome.fixed == {"LGT002": 1}
    assert path.read_bytes() == expected
    assert fix_path(str(path), SETTINGS, Fixing()).fixed == {}  # a second run: nothing
    assert path.read_bytes() == expected


def test_write_keeps_mode_follows_links_and_leaves_no_temporary(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_text(_MISUSE)
    real.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    fix_path(str(link), SETTINGS, Fixing())
    assert link.is_symlink() and real.read_text() == _FIXED
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.py", "real.py"]


def test_failed_write_leaves_the_file_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.py"
    path.write_text(_MISUSE)

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    outcome = fix_path(str(path), SETTINGS, Fixing())
    assert path.read_text() == _MISUSE
    assert not outcome.fixed
    assert any("No space left" in e for e in outcome.result.internal_errors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py"]


def test_undecodable_and_unparseable_files_are_never_written(tmp_path: Path) -> None:
    undecodable = tmp_path / "a.py"
    undecodable.write_bytes(b"import torch\ny = torch.log(torch.sigmoid(x))  # \xe9\n")
    unparseable = tmp_path / "b.py"
    unparseable.write_bytes(b"import torch\ny = torch.log(torch.sigmoid(x)\n")
    for path in (undecodable, unparseable):
        before = path.read_bytes()
        outcome = fix_path(str(path), SETTINGS, Fixing(unsafe=True))
        assert path.read_bytes() == before
        assert [d.code for d in outcome.result.diagnostics] == ["LGT000"]


def test_encode_refuses_text_the_codec_cannot_hold() -> None:
    with pytest.raises(source.SourceError, match="cannot be encoded"):
        source.encode("x = '\u20ac'\n", "latin-1")

"""Adopting logitlint on existing code: ``check --add-noqa`` and LGT100 (unused-noqa)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import lint

from logitlint.cli import main
from logitlint.textedit import apply_edits

MISUSES = textwrap.dedent(
    """\
    import torch
    import torch.nn.functional as F

    a = torch.log(torch.sigmoid(x))
    b = torch.log(torch.sigmoid(x))  # noqa: E501
    c = torch.log(
        torch.sigmoid(x)
    )
    d = F.cross_entropy(F.softmax(z, dim=1), y)  # the old baseline
    e = torch.log(torch.sigmoid(x)); f = torch.log(torch.sigmoid(w))
    """
)
SUPPRESSED = textwrap.dedent(
    """\
    import torch
    import torch.nn.functional as F

    a = torch.log(torch.sigmoid(x))  # noqa: LGT002
    b = torch.log(torch.sigmoid(x))  # noqa: E501, LGT002
    c = torch.log(
        torch.sigmoid(x)
    )  # noqa: LGT002
    d = F.cross_entropy(F.softmax(z, dim=1), y)  # the old baseline  # noqa: LGT001
    e = torch.log(torch.sigmoid(x)); f = torch.log(torch.sigmoid(w))  # noqa: LGT002
    """
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


def test_add_noqa_suppresses_everything_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(MISUSES, encoding="utf-8")
    os.chmod(path, 0o754)
    assert invoke(str(path)).exit_code == 1
    first = invoke(str(path), "--add-noqa")
    assert first.exit_code == 0
    assert "Added 5 noqa directives." in first.stderr
    assert path.read_text(encoding="utf-8") == SUPPRESSED
    assert os.stat(path).st_mode & 0o777 == 0o754
    second = invoke(str(path), "--add-noqa")
    assert "Added 0 noqa directives." in second.stderr
    assert path.read_text(encoding="utf-8") == SUPPRESSED
    assert invoke(str(path)).exit_code == 0  # and no LGT100: every code is used


def test_add_noqa_keeps_encoding_bom_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.py"
    source = "import torch\r\nx = torch.log(torch.sigmoid(y))\r\nname = 'é'\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    assert invoke(str(path), "--add-noqa").exit_code == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == source.replace(
        "sigmoid(y))\r\n", "sigmoid(y))  # noqa: LGT002\r\n"
    )


def test_add_noqa_leaves_rows_that_end_inside_a_string(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    source = 'import torch\nif torch.log(torch.softmax(q, 1)).sum() > f("""\ntext"""):\n    pass\n'
    path.write_text(source, encoding="utf-8")
    result = invoke(str(path), "--add-noqa")
    assert result.exit_code == 0
    assert "LGT002 not suppressed: row 2 ends inside a string" in result.stderr
    assert path.read_text(encoding="utf-8") == source


def test_add_noqa_rejects_stdin() -> None:
    assert invoke("--add-noqa", "-").exit_code == 2


def _fixed(source: str) -> str:
    """Apply every LGT100 fix (they never overlap: one per comment)."""
    source = textwrap.dedent(source)
    fixes = [d.fix for d in lint(source) if d.code == "LGT100"]
    assert fixes
    return apply_edits(source, [edit for fix in fixes if fix for edit in fix.edits])


@pytest.mark.parametrize(
    ("line", "after"),
    [
        ("y = F.log_softmax(x, 1)  # noqa: LGT002\n", "y = F.log_softmax(x, 1)\n"),
        (
            "y = F.log_softmax(x, 1)  # noqa: LGT002, E501\n",
            "y = F.log_softmax(x, 1)  # noqa: E501\n",
        ),
        ("y = F.log_softmax(x, 1)  # noqa:LGT001,LGT002\n", "y = F.log_softmax(x, 1)\n"),
        ("y = F.log_softmax(x, 1)  # noqa: LGT002  # why\n", "y = F.log_softmax(x, 1)  # why\n"),
        ("y = F.log_softmax(x, 1)  # why # noqa: LGT002\n", "y = F.log_softmax(x, 1)  # why\n"),
        ("y = F.log_softmax(x, 1)  # noqa: LGT002 legacy\n", "y = F.log_softmax(x, 1)  # legacy\n"),
        ("y = F.log_softmax(x, 1)  # noqa: LGT0022\n", "y = F.log_softmax(x, 1)\n"),
    ],
)
def test_unused_noqa_fix(line: str, after: str) -> None:
    header = "import torch.nn.functional as F\n"
    fixed = _fixed(header + line)
    assert fixed == header + after
    assert lint(fixed) == []


def test_unused_noqa_leaves_what_is_not_ours() -> None:
    source = """
    import torch
    import os  # noqa
    import sys  # noqa: F401, E402
    y = torch.log(torch.sigmoid(x))  # noqa
    z = torch.log(torch.sigmoid(x))  # noqa: LGT002
    """
    assert lint(source) == []


def test_unused_noqa_ignores_codes_of_rules_not_enabled(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import torch\ny = torch.log_softmax(x, 1)  # noqa: LGT001\n")
    assert invoke(str(path), "--select", "LGT002,LGT100").exit_code == 0
    assert "LGT100" in invoke(str(path), "--select", "LGT001,LGT100").output
    assert invoke(str(path), "--ignore", "LGT100").exit_code == 0


def test_unused_noqa_message_and_range() -> None:
    source = "import torch\ny = torch.log_softmax(x, 1)  # noqa: E501, LGT001, LGT9\n"
    (diagnostic,) = lint(source)
    assert diagnostic.code == "LGT100"
    assert diagnostic.message == "Unused `noqa` directive (unused: `LGT001`; unknown: `LGT9`)"
    line = source.splitlines()[1]
    start, end = diagnostic.location.column, diagnostic.end_location.column
    assert line[start - 1 : end - 1] == "# noqa: E501, LGT001, LGT9"

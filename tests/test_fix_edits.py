"""Fixes carried in diagnostics are well-formed: applied alone, each one parses and
removes its own finding without a new finding of the same rule on that line."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from conftest import FIXTURES

from logitlint.engine import lint_text
from logitlint.registry import all_rules
from logitlint.textedit import apply_edits

FIXABLE = [p for p in sorted(FIXTURES.rglob("*.py")) if not p.name.startswith("near_miss")]


@pytest.mark.parametrize("path", FIXABLE, ids=[str(p.relative_to(FIXTURES)) for p in FIXABLE])
def test_each_fix_parses_and_removes_its_finding(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    diagnostics = lint_text(text, str(path), all_rules(), prefilter=False).diagnostics
    fixed_any = False
    for diagnostic in diagnostics:
        if diagnostic.fix is None:
            continue
        fixed_any = True
        new_text = apply_edits(text, diagnostic.fix.edits)
        assert new_text != text
        cst.parse_module(new_text)  # raises if the fix broke the syntax
        after = lint_text(new_text, str(path), all_rules(), prefilter=False).diagnostics
        before_count = sum(1 for d in diagnostics if d.code == diagnostic.code)
        after_count = sum(1 for d in after if d.code == diagnostic.code)
        assert after_count < before_count, diagnostic
    if path.parent.name in ("LGT001", "LGT002"):
        assert fixed_any, "every LGT001/LGT002 fixture exercises at least one fix"


def test_import_is_added_when_the_module_lacks_the_name() -> None:
    source = "import numpy as np\nfrom scipy.special import expit\n\ny = np.log(expit(x))\n"
    (diagnostic,) = lint_text(source, "x.py", all_rules()).diagnostics
    assert diagnostic.fix is not None
    fixed = apply_edits(source, diagnostic.fix.edits)
    assert fixed == (
        "import numpy as np\nfrom scipy.special import expit\n"
        "from scipy.special import log_expit\n\ny = log_expit(x)\n"
    )


def test_existing_alias_is_reused() -> None:
    source = "import torch\nimport torch.nn.functional as F\n\ny = torch.log(x.sigmoid())\n"
    (diagnostic,) = lint_text(source, "x.py", all_rules()).diagnostics
    assert diagnostic.fix is not None
    assert apply_edits(source, diagnostic.fix.edits).endswith("y = F.logsigmoid(x)\n")


def test_complement_of_sigmoid_into_a_logits_loss_gets_no_broken_fix() -> None:
    source = (
        "import torch\nimport torch.nn.functional as F\n"
        "loss = F.binary_cross_entropy_with_logits(1 - torch.sigmoid(x), y)\n"
    )
    (diagnostic,) = lint_text(source, "x.py", all_rules()).diagnostics
    assert diagnostic.code == "LGT001"
    assert diagnostic.fix is None  # replacing only the sigmoid gave `1 - -x`

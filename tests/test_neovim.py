"""The README's Neovim snippet in a real headless Neovim (0.8+), when one is available.

Neovim is not a Python package, so this test runs only where an ``nvim`` binary is
found (``$LOGITLINT_NVIM`` or ``PATH``) and is skipped, saying so, elsewhere. The
LSP behaviour itself is always tested by test_lsp.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from readme_snippets import snippet

CHECK = r"""
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local line = string.format("diagnostic %d:%d %s", d.lnum, d.col, d.source)
  table.insert(out, string.format("%s %s %d", line, d.code, d.severity))
end
local document = vim.lsp.util.make_text_document_params(0)
local hover = vim.lsp.buf_request_sync(0, "textDocument/hover",
  { textDocument = document, position = { line = 4, character = 53 } }, 10000)
for _, r in pairs(hover or {}) do
  if r.result then table.insert(out, "hover " .. vim.split(r.result.contents.value, "\n")[1]) end
end
local actions = vim.lsp.buf_request_sync(0, "textDocument/codeAction", {
  textDocument = document,
  range = { start = { line = 4, character = 11 }, ["end"] = { line = 4, character = 11 } },
  context = { diagnostics = {} },
}, 10000)
for _, r in pairs(actions or {}) do
  for _, a in ipairs(r.result or {}) do table.insert(out, "action " .. a.title) end
end
vim.fn.writefile(out, vim.env.RESULT)
vim.cmd("qall!")
"""


def neovim() -> str:
    binary = os.environ.get("LOGITLINT_NVIM") or shutil.which("nvim")
    if not binary:
        pytest.skip("no nvim binary (set LOGITLINT_NVIM or put nvim on PATH)")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    found = re.match(r"NVIM v(\d+)\.(\d+)", version)
    if not found or (int(found.group(1)), int(found.group(2))) < (0, 8):
        pytest.skip(f"the snippet needs Neovim 0.8 or newer, found: {version[:20]!r}")
    return binary


def test_neovim_snippet_as_written(tmp_path: Path) -> None:
    binary = neovim()
    (tmp_path / "init.lua").write_text(snippet("neovim-lsp"), encoding="utf-8")
    (tmp_path / "check.lua").write_text(CHECK, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.logitlint.severity]\nLGT002 = "error"\n')
    (project / "train.py").write_text(
        "import torch\n\n\ndef nll(x):\n"
        "    return torch.log(torch.softmax(x, dim=1))  # see LGT002\n"
    )
    env = dict(os.environ, RESULT=str(tmp_path / "result.txt"))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    subprocess.run(
        [binary, "--headless", "-u", str(tmp_path / "init.lua"), "-c",
         f"luafile {tmp_path / 'check.lua'}", "train.py"],
        cwd=project, env=env, timeout=120, check=True, capture_output=True,
    )  # fmt: skip
    assert (tmp_path / "result.txt").read_text().splitlines() == [
        "diagnostic 4:11 logitlint LGT002 1",
        "hover # LGT002 log-of-softmax",
        "action LGT002: Replace with `torch.log_softmax(x, dim=1)`",
        "action LGT002: Disable for this line (# noqa)",
    ]

"""``logitlint server`` in a real LSP session over stdio, driven by pygls' client.

The server is started with the command the README's editor snippets configure. The
document has a non-BMP character before the finding on the same line, so a column
that skipped the UTF-16 conversion would be off by one.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from readme_snippets import snippet

TEXT = (
    "import torch\n"
    "import torch.nn.functional as F\n"
    "\n"
    "\n"
    "def scores(out):\n"
    '    tag = "😋"; lp = torch.log(F.softmax(out, dim=1))\n'
    "    return lp  # reviewed: LGT002 does not apply\n"
)
FIXED = TEXT.replace("torch.log(F.softmax(out, dim=1))", "F.log_softmax(out, dim=1)")
TIMEOUT = 60


def server_command() -> list[str]:
    """``[command, *arguments]`` from the VS Code snippet; Neovim's must agree."""
    settings = json.loads(snippet("vscode-settings"))
    command = [settings["glspc.serverCommand"], *settings["glspc.serverCommandArguments"]]
    assert settings["glspc.languageId"] == "python"
    lua = snippet("neovim-lsp")
    listed = re.search(r"cmd = \{([^}]*)\}", lua)
    assert listed and re.findall(r'"([^"]+)"', listed.group(1)) == command
    found = shutil.which(command[0]) or str(Path(sys.executable).with_name(command[0]))
    return [found, *command[1:]]


def utf16_apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 columns), last first, as an editor does."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        before = "".join(lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = line.encode("utf-16-le")[: 2 * position.character].decode("utf-16-le")
        return len(before) + len(units)

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
        lines = text.splitlines(keepends=True)
    return text


class Session:
    def __init__(self) -> None:
        self.client = LanguageClient("logitlint-test", "1")
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

    async def next_diagnostics(self) -> types.PublishDiagnosticsParams:
        return await asyncio.wait_for(self.published.get(), TIMEOUT)


async def conversation(workspace: Path) -> None:
    session = Session()
    client = session.client
    await client.start_io(*server_command())
    try:
        init = await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(),
                    root_uri=workspace.as_uri(),
                )
            ),
            TIMEOUT,
        )
        capabilities = init.capabilities
        assert capabilities.hover_provider and capabilities.code_action_provider
        assert init.server_info is not None and init.server_info.name == "logitlint"
        client.initialized(types.InitializedParams())

        uri = (workspace / "pkg" / "model.py").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, TEXT))
        )
        published = await session.next_diagnostics()
        assert published.uri == uri
        (diagnostic,) = published.diagnostics
        assert diagnostic.code == "LGT002" and diagnostic.source == "logitlint"
        # the emoji is one code point but two UTF-16 units: LSP columns are one further
        line = TEXT.splitlines()[5]
        start = line.index("torch.log") + 1
        end = start + len("torch.log(F.softmax(out, dim=1))")
        assert diagnostic.range == types.Range(types.Position(5, start), types.Position(5, end))
        # severity comes from pkg/logitlint.toml, found from the document's path
        assert diagnostic.severity == types.DiagnosticSeverity.Error
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href.endswith("#lgt002-log-of-softmax")

        actions = await asyncio.wait_for(
            client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri),
                    range=diagnostic.range,
                    context=types.CodeActionContext(diagnostics=[diagnostic]),
                )
            ),
            TIMEOUT,
        )
        assert actions is not None
        by_title = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
        fix = by_title["LGT002: Replace with `F.log_softmax(out, dim=1)`"]
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        assert fix.edit is not None and fix.edit.changes is not None
        assert utf16_apply(TEXT, list(fix.edit.changes[uri])) == FIXED
        noqa = by_title["LGT002: Disable for this line (# noqa)"]
        assert noqa.edit is not None and noqa.edit.changes is not None
        suppressed = utf16_apply(TEXT, list(noqa.edit.changes[uri]))
        assert suppressed.splitlines()[5].endswith("dim=1))  # noqa: LGT002")

        hover = await asyncio.wait_for(
            client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(6, 27))
            ),
            TIMEOUT,
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert hover.contents.value.startswith("# LGT002 log-of-softmax")
        assert "## Why is this bad?" in hover.contents.value
        nothing = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(6, 6))
        )
        assert nothing is None

        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=FIXED)],
            )
        )
        after_fix = await session.next_diagnostics()
        assert not after_fix.diagnostics and after_fix.version == 2

        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=suppressed)],
            )
        )
        assert not (await session.next_diagnostics()).diagnostics  # the noqa action works

        excluded = (workspace / "pkg" / "generated" / "model.py").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(excluded, "python", 1, TEXT))
        )
        assert not (await session.next_diagnostics()).diagnostics

        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        client.exit(None)
    finally:
        process = client._server  # pygls keeps the child process here
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), 10)
            except asyncio.TimeoutError:
                process.kill()  # a failed assertion above left it running
        await client.stop()


def test_language_server_session(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "logitlint.toml").write_text(
        'extend-exclude = ["generated"]\n[severity]\nLGT002 = "error"\n', encoding="utf-8"
    )
    asyncio.run(asyncio.wait_for(conversation(tmp_path), 4 * TIMEOUT))


def test_server_command_without_pygls_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from logitlint.cli import main

    monkeypatch.delitem(sys.modules, "logitlint.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)  # import fails
    result = CliRunner().invoke(main, ["server"])
    assert result.exit_code == 2
    assert "pip install 'logitlint[lsp]'" in result.stderr

"""``logitlint server``: a language server (LSP over stdio, built on pygls).

It lints a document when it is opened, changed or saved and publishes the findings;
offers each finding's fix as a quick fix and a "disable with noqa" action; and shows
a rule's documentation when the cursor hovers over its code (in a ``# noqa`` comment
or anywhere else). Settings are resolved from the document's path exactly as
``logitlint check`` resolves them, re-read on every lint so an edited configuration
takes effect at once; a file the configuration excludes gets no diagnostics.

Coordinates: logitlint counts code points from 1; LSP counts from 0 in the encoding
negotiated with the client (UTF-16 unless the client offers another), so every
position goes through pygls' position codec here, and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from logitlint import __version__, config
from logitlint.add_noqa import NoqaError, noqa_edit
from logitlint.diagnostics import Applicability, Diagnostic, Edit, Location, Severity
from logitlint.registry import SOURCE_ERROR_CODE, rule_by_code
from logitlint.settings import Resolver

SOURCE = "logitlint"
_CODE = re.compile(r"\bLGT\d{3}\b")
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_NO_NOQA = frozenset({SOURCE_ERROR_CODE, "LGT100"})

server = LanguageServer("logitlint", __version__)


def _path(document: TextDocument) -> str:
    return document.path or to_fs_path(document.uri) or document.uri


def lint_document(ls: LanguageServer, document: TextDocument) -> list[Diagnostic]:
    """The findings for the document's current text, with its path's settings."""
    from logitlint.runner import lint_source

    config.clear_cache()  # pick up edits to pyproject.toml / logitlint.toml
    path = _path(document)
    try:
        resolver = Resolver()
        if resolver.excluded(path, False):
            return []
        settings = resolver.for_file(path)
    except config.ConfigError as error:
        ls.window_show_message(
            types.ShowMessageParams(types.MessageType.Error, f"logitlint: {error}")
        )
        return []
    result = lint_source(document.source, path, settings)
    return sorted(result.diagnostics, key=Diagnostic.sort_key)


def _position(document: TextDocument, location: Location) -> types.Position:
    lines = document.lines
    position = types.Position(location.row - 1, location.column - 1)
    if position.line >= len(lines):
        return types.Position(len(lines), 0)
    return document.position_codec.position_to_client_units(lines, position)


def _range(document: TextDocument, start: Location, end: Location) -> types.Range:
    return types.Range(_position(document, start), _position(document, end))


def to_lsp(document: TextDocument, diagnostic: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(
        range=_range(document, diagnostic.location, diagnostic.end_location),
        message=diagnostic.message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=(types.CodeDescription(href=diagnostic.url) if diagnostic.url else None),
        source=SOURCE,
    )


def _text_edits(document: TextDocument, edits: Sequence[Edit]) -> list[types.TextEdit]:
    return [types.TextEdit(_range(document, e.location, e.end_location), e.content) for e in edits]


def publish(ls: LanguageServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    found = [to_lsp(document, d) for d in lint_document(ls, document)]
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version)
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


def _overlaps(diagnostic: types.Diagnostic, wanted: types.Range) -> bool:
    start, end = diagnostic.range.start, diagnostic.range.end
    before = (end.line, end.character) < (wanted.start.line, wanted.start.character)
    after = (start.line, start.character) > (wanted.end.line, wanted.end.character)
    return not before and not after


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(
    ls: LanguageServer, params: types.CodeActionParams
) -> Optional[list[types.CodeAction]]:
    """A quick fix per fixable finding in the range, and a noqa action per finding."""
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    actions: list[types.CodeAction] = []
    for diagnostic in lint_document(ls, document):
        lsp = to_lsp(document, diagnostic)
        if not _overlaps(lsp, params.range):
            continue
        fix = diagnostic.fix
        if fix is not None and fix.edits and fix.applicability is not Applicability.DISPLAY_ONLY:
            caution = " (unsafe)" if fix.applicability is Applicability.UNSAFE else ""
            actions.append(
                types.CodeAction(
                    title=f"{diagnostic.code}: {fix.message}{caution}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp],
                    is_preferred=fix.applicability is Applicability.SAFE,
                    edit=types.WorkspaceEdit(changes={uri: _text_edits(document, fix.edits)}),
                )
            )
        if diagnostic.code in _NO_NOQA or diagnostic.cell is not None:
            continue
        row = diagnostic.noqa_row or diagnostic.location.row
        try:
            edit = noqa_edit(document.source, row, [diagnostic.code])
        except NoqaError:
            continue
        actions.append(
            types.CodeAction(
                title=f"{diagnostic.code}: Disable for this line (# noqa)",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[lsp],
                edit=types.WorkspaceEdit(changes={uri: _text_edits(document, [edit])}),
            )
        )
    return actions


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
    """The rule's documentation when the cursor is on a code such as ``LGT002``."""
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines = document.lines
    if params.position.line >= len(lines):
        return None
    line = lines[params.position.line]
    column = document.position_codec.position_from_client_units(lines, params.position).character
    for match in _CODE.finditer(line):
        if match.start() <= column <= match.end():
            rule = rule_by_code(match.group())
            if rule is None:
                return None
            start = Location(params.position.line + 1, match.start() + 1)
            end = Location(params.position.line + 1, match.end() + 1)
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=rule.documentation()
                ),
                range=_range(document, start, end),
            )
    return None


def main() -> None:
    server.start_io()

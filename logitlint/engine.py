"""Lints one source text: parse once, analyse once, run every enabled rule in one pass.

The traversal is a single libcst visitor that dispatches each node to the rules that
asked for its type (a batched visitor without libcst's metadata machinery), while
tracking the statement and the lambda/comprehension names in force, which is all the
context the analysis needs. Positions are resolved only when a rule reported.
"""

from __future__ import annotations

import ast
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst
import libcst.matchers as matchers

from logitlint.analysis import Analysis, Site
from logitlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from logitlint.positions import Positions
from logitlint.registry import SOURCE_ERROR_CODE, SOURCE_ERROR_NAME
from logitlint.rule import FixSpec, ImportEdit, NodeEdit, Report, Rule
from logitlint.suppression import directives, file_exemption, suppressing_row

DOCS_URL = "https://github.com/logitlint/logitlint/blob/main/docs/rules.md#{anchor}"


@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    text: Optional[str] = None  # kept when there are diagnostics, for the output
    cell_texts: dict[int, str] = field(default_factory=dict)  # notebooks: cell -> source


class FileContext:
    """What rules see of the file being linted, and where their reports go."""

    def __init__(
        self,
        module: cst.Module,
        analysis: Analysis,
        describe_row: Optional[Callable[[int], str]] = None,
    ) -> None:
        self.module = module
        self.analysis = analysis
        self.describe_row = describe_row or (lambda row: f"line {row}")
        self.positions = Positions(module)
        self.site: Optional[Site] = None
        self.shadowed: frozenset[str] = frozenset()
        self.reports: list[tuple[type[Rule], Report]] = []

    def add_report(self, rule: Rule, report: Report) -> None:
        self.reports.append((type(rule), report))

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def line(self, node: cst.CSTNode) -> int:
        return self.positions.range(node)[0].row

    def where(self, node: cst.CSTNode) -> str:
        """Where a node is, as messages cite it: "line 12", or "cell 3, line 2"."""
        return self.describe_row(self.line(node))


class _Dispatcher(cst.CSTVisitor):
    def __init__(
        self,
        context: FileContext,
        rules: Sequence[Rule],
        on_error: Callable[[Rule, BaseException], None],
    ) -> None:
        super().__init__()
        self.context = context
        self.on_error = on_error
        self.visits: dict[str, list[Callable[[cst.CSTNode], object]]] = {}
        self.leaves: dict[str, list[Callable[[cst.CSTNode], object]]] = {}
        for rule in rules:
            for attribute in dir(type(rule)):
                if attribute.startswith("visit_"):
                    table, node_type = self.visits, attribute[len("visit_") :]
                elif attribute.startswith("leave_"):
                    table, node_type = self.leaves, attribute[len("leave_") :]
                else:
                    continue
                table.setdefault(node_type, []).append(getattr(rule, attribute))
        self._sites: list[tuple[cst.CSTNode, Optional[Site]]] = []
        self._shadows: list[tuple[cst.CSTNode, frozenset[str]]] = []
        self._disabled: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        site = self.context.analysis.site(node)
        if site is not None:
            self._sites.append((node, self.context.site))
            self.context.site = site
        names = _shadowing_names(node)
        if names:
            self._shadows.append((node, self.context.shadowed))
            self.context.shadowed = self.context.shadowed | names
        handlers = self.visits.get(type(node).__name__)
        if handlers:
            self._run(handlers, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        handlers = self.leaves.get(type(original_node).__name__)
        if handlers:
            self._run(handlers, original_node)
        if self._shadows and self._shadows[-1][0] is original_node:
            self.context.shadowed = self._shadows.pop()[1]
        if self._sites and self._sites[-1][0] is original_node:
            self.context.site = self._sites.pop()[1]

    def _run(self, handlers: list[Callable[[cst.CSTNode], object]], node: cst.CSTNode) -> None:
        if self.context.site is None:
            return  # module docstring position or similar: nothing to evaluate against
        for handler in handlers:
            rule = handler.__self__  # type: ignore[attr-defined]
            if id(rule) in self._disabled:
                continue
            try:
                handler(node)
            except Exception as error:  # a rule bug must not cost the other rules
                self._disabled.add(id(rule))
                self.on_error(rule, error)


def _shadowing_names(node: cst.CSTNode) -> frozenset[str]:
    if isinstance(node, cst.Lambda):
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        return frozenset(p.name.value for p in every)
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        names: set[str] = set()
        comp: Optional[cst.CompFor] = node.for_in
        while comp is not None:
            names.update(_target_names(comp.target))
            comp = comp.inner_for_in
        return frozenset(names)
    return frozenset()


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def docs_url(rule_code: str, rule_name: str) -> str:
    return DOCS_URL.format(anchor=f"{rule_code.lower()}-{rule_name}")


def source_error(
    filename: str, message: str, row: int = 1, column: int = 1, cell: Optional[int] = None
) -> Diagnostic:
    location = Location(row, column)
    return Diagnostic(
        code=SOURCE_ERROR_CODE,
        name=SOURCE_ERROR_NAME,
        message=message,
        filename=filename,
        location=location,
        end_location=location,
        severity=Severity.ERROR,
        url=docs_url(SOURCE_ERROR_CODE, SOURCE_ERROR_NAME),
        noqa_row=None,
        cell=cell,
    )


def _parse(text: str, filename: str, result: LintResult) -> Optional[cst.Module]:
    """libcst's module, or None with an LGT000 diagnostic in ``result``.

    CPython's own parser runs first: it is ten times faster than libcst, words syntax
    errors better, and refuses nesting deep enough to crash libcst's native parser
    (a segfault, not an exception). It only parses; nothing is executed.
    """
    python_error: Optional[SyntaxError] = None
    try:
        ast.parse(text, filename)
    except SyntaxError as error:
        if "too many nested" in str(error.msg):
            result.diagnostics.append(source_error(filename, "source is nested too deeply"))
            return None
        python_error = error  # perhaps newer syntax than this Python knows: ask libcst
    except (RecursionError, MemoryError):
        result.diagnostics.append(source_error(filename, "source is nested too deeply"))
        return None
    except ValueError as error:  # e.g. NUL bytes
        result.diagnostics.append(source_error(filename, f"cannot parse: {error}"))
        return None
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        if python_error is not None:
            row, column = python_error.lineno or 1, python_error.offset or 1
            message = f"syntax error: {python_error.msg}"
        else:
            row, column = error.raw_line, error.raw_column + 1
            message = f"syntax error (not supported by the parser): {error.message}"
        result.diagnostics.append(source_error(filename, message, row, column))
    except RecursionError:
        result.diagnostics.append(source_error(filename, "source is nested too deeply"))
    return None


def wanted_rules(text: str, rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    """The prefilter: rules whose trigger words occur in the text (case-insensitive)."""
    lowered = text.lower()
    return [rule for rule in rules if any(word in lowered for word in rule.triggers)]


def lint_text(
    text: str,
    filename: str,
    rules: Sequence[type[Rule]],
    *,
    prefilter: bool = True,
    describe_row: Optional[Callable[[int], str]] = None,
) -> LintResult:
    result = LintResult(text=text)
    exemption = file_exemption(text)
    if exemption is not None:
        if not exemption:
            return result
        rules = [rule for rule in rules if rule.code not in exemption]
    enabled = frozenset(rule.code for rule in rules)  # before the prefilter drops any
    if prefilter:
        rules = wanted_rules(text, rules)
        if not rules:
            return result
    module = _parse(text, filename, result)
    if module is None:
        return result
    try:
        return _lint_module(module, text, filename, rules, result, enabled, describe_row)
    except RecursionError:
        result.diagnostics.append(source_error(filename, "source is nested too deeply to analyse"))
        return result


def _lint_module(
    module: cst.Module,
    text: str,
    filename: str,
    rules: Sequence[type[Rule]],
    result: LintResult,
    enabled: frozenset[str] = frozenset(),
    describe_row: Optional[Callable[[int], str]] = None,
) -> LintResult:
    context = FileContext(module, Analysis(module), describe_row)
    instances = [rule(context) for rule in rules]

    def on_error(rule: Rule, error: BaseException) -> None:
        where = traceback.extract_tb(error.__traceback__)[-1]
        result.internal_errors.append(
            f"{filename}: rule {rule.code} failed: {type(error).__name__}: {error} "
            f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        )

    module.visit(_Dispatcher(context, instances, on_error))
    # rules that judge the noqa comments themselves (LGT100), after suppression
    judges = [rule for rule in instances if hasattr(rule, "check_directives")]
    if not context.reports and not judges:
        return result
    found = directives(text)
    noqa = {directive.row: directive.code_set for directive in found}
    used: dict[int, set[str]] = {}
    for rule, report in context.reports:
        diagnostic = _diagnostic(context, rule, report, filename)
        rows = (diagnostic.location.row, diagnostic.noqa_row or diagnostic.location.row)
        row = suppressing_row(noqa, rule.code, rows)
        if row is None:
            result.diagnostics.append(diagnostic)
        else:
            used.setdefault(row, set()).add(rule.code)
    for judge in judges:
        try:
            reports = judge.check_directives(text, found, used, enabled)  # type: ignore[attr-defined]
        except Exception as error:
            on_error(judge, error)
            continue
        for start, end, message, fix in reports:
            if suppressing_row(noqa, judge.code, (start.row,)) is None:
                result.diagnostics.append(
                    _directive_diagnostic(type(judge), filename, start, end, message, fix)
                )
    return result


def _directive_diagnostic(
    rule: type[Rule], filename: str, start: Location, end: Location, message: str, fix: Fix
) -> Diagnostic:
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        message=message,
        filename=filename,
        location=start,
        end_location=end,
        severity=rule.severity,
        url=docs_url(rule.code, rule.name),
        fix=fix,
        noqa_row=start.row,
    )


def _diagnostic(
    context: FileContext, rule: type[Rule], report: Report, filename: str
) -> Diagnostic:
    start, end = context.positions.range(report.node)
    noqa_row = end.row
    if report.site is not None and isinstance(report.site.node, cst.BaseSmallStatement):
        noqa_row = max(noqa_row, context.positions.range(report.site.node)[1].row)
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        message=report.message,
        filename=filename,
        location=start,
        end_location=end,
        severity=rule.severity,
        url=docs_url(rule.code, rule.name),
        fix=_fix(context, report.fix) if report.fix else None,
        noqa_row=noqa_row,
    )


def _fix(context: FileContext, spec: FixSpec) -> Fix:
    edits: list[Edit] = []
    applicability = spec.applicability
    for edit in spec.edits:
        if isinstance(edit, NodeEdit):
            start, end = context.positions.range(edit.node)
            edits.append(Edit(start, end, edit.content))
            if applicability is Applicability.SAFE and _drops_comment(edit):
                applicability = Applicability.UNSAFE
        elif isinstance(edit, ImportEdit):
            edits.append(_import_edit(context, edit))
    edits.sort(key=lambda e: (e.location, e.end_location))
    return Fix(spec.message, applicability, tuple(_dedupe(edits)))


def _drops_comment(edit: NodeEdit) -> bool:
    """A fix that deletes a comment inside the replaced node is never safe (as in ruff):
    the comment may be the only record of why the code looks as it does."""
    comments = matchers.findall(edit.node, matchers.Comment())
    return any(isinstance(c, cst.Comment) and c.value not in edit.content for c in comments)


def _dedupe(edits: list[Edit]) -> list[Edit]:
    unique: list[Edit] = []
    for edit in edits:
        if edit not in unique:
            unique.append(edit)
    return unique


def _import_edit(context: FileContext, edit: ImportEdit) -> Edit:
    """Insert ``from module import name`` after the last top-level import."""
    module = context.module
    newline = module.default_newline
    anchor: Optional[cst.CSTNode] = None
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body[0]
        is_docstring = (
            index == 0
            and isinstance(small, cst.Expr)
            and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
        )
        if isinstance(small, (cst.Import, cst.ImportFrom)) or is_docstring:
            anchor = statement
        elif not isinstance(small, cst.Pass):  # a masked notebook magic reads as `pass`
            break
    line = f"from {edit.module} import {edit.name}"
    if anchor is None:  # before the first statement, after any header comments
        row = context.positions.range(module.body[0])[0].row if module.body else 1
        return Edit(Location(row, 1), Location(row, 1), line + newline)
    end = context.positions.range(anchor)[1]
    return Edit(end, end, newline + line)

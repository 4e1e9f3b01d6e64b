"""Inline suppressions: ``# docgen: ignore`` comments, read from the syntax tree.

Two forms, in any comment syntax the parser knows (``#``, ``//``, ``/* */``):

- ``docgen: ignore`` or ``docgen: ignore[DG101,DG102]`` at the end of a definition's line (the
  ``def``/``class`` line, any line of a signature that spans several, or one of its
  decorator lines) silences that definition's findings: all of them, or those whose code
  starts with one of the listed codes (``DG1`` silences every ``DG1xx``). It applies to that
  definition only, not to the methods of a class or the functions nested in a function.
- ``docgen: ignore-file`` or ``docgen: ignore-file[DG001]`` in a comment on a line of its
  own, not indented (anywhere in the file), silences the file's findings.

Only comments count: the same text inside a string is not a directive, and nothing is ever
executed. Files without the text ``docgen: ignore`` are not parsed again (:func:`scan` returns
``None`` at once), so a check pays for suppressions only in files that use them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.languages import (
    UnsupportedLanguage,
    grammar_key,
    language_for_path,
    load_grammar,
    parser_for,
)
from indexer.limits import OverBudget, parse_tree
from indexer.parser import SkipFile, parse_source
from indexer.symbols import ParsedFile, Symbol

MARKER = b"docgen:"
_QUICK = re.compile(rb"docgen:\s*ignore")  # files without it are not parsed again
_DIRECTIVE = re.compile(
    r"(?<![\w-])docgen:\s*(?P<kind>ignore-file|ignore)(?![\w-])"
    r"(?:\[(?P<codes>[^\]\n]*)\])?"
)
_CODE = re.compile(r"[A-Za-z]+[0-9]*")
_PARSE_BUDGET_S = 20.0


@dataclass(frozen=True)
class Rule:
    """One directive: which codes it silences, and where it was written.

    Attributes:
        codes: Code prefixes it silences (upper case); empty: every code.
        line: 1-based line of the comment.
        scope: ``"file"`` or ``"definition"``.
    """

    codes: frozenset[str]
    line: int
    scope: str = "definition"

    def covers(self, code: str) -> bool:
        """Whether this directive silences findings with ``code``."""
        return not self.codes or any(code.upper().startswith(c) for c in self.codes)

    def describe(self) -> str:
        """How the directive reads, e.g. ``ignore[DG001] (line 3)``."""
        name = "ignore-file" if self.scope == "file" else "ignore"
        codes = f"[{','.join(sorted(self.codes))}]" if self.codes else ""
        return f"{name}{codes} (line {self.line})"


@dataclass
class Directives:
    """The directives found in one file's comments, not yet tied to definitions.

    Attributes:
        file_rules: ``ignore-file`` directives.
        line_rules: 1-based line -> the ``ignore`` directive at the end of that line.
    """

    file_rules: list[Rule] = field(default_factory=list)
    line_rules: dict[int, Rule] = field(default_factory=dict)


@dataclass(frozen=True)
class _Scope:
    qualname: str
    first: int  # 1-based lines of the whole definition
    last: int
    rule: Rule


@dataclass
class Suppressions:
    """The directives of one file, tied to its definitions.

    Attributes:
        path: The file, relative to the root.
        file_rules: ``ignore-file`` directives.
        scopes: Definitions with an ``ignore`` directive on one of their header lines.
    """

    path: str
    file_rules: list[Rule] = field(default_factory=list)
    scopes: list[_Scope] = field(default_factory=list)

    def rule_for(self, code: str, qualname: str, line: int | None = None) -> Rule | None:
        """The directive that silences a finding, or ``None``.

        Args:
            code: The finding's code (``DG001``...).
            qualname: The definition it is about.
            line: Its 1-based line, inside the definition; it tells apart two definitions
                of one name (a property getter and its setter). ``None``: any definition
                of that name.
        """
        for rule in self.file_rules:
            if rule.covers(code):
                return rule
        named = [scope for scope in self.scopes if scope.qualname == qualname]
        if line is not None:
            named = [scope for scope in named if scope.first <= line <= scope.last]
        for scope in named:
            if scope.rule.covers(code):
                return scope.rule
        return None


def scan(source: bytes, path: str) -> Directives | None:
    """The directives in the comments of ``source`` (file ``path``).

    Returns:
        ``None`` when the file has none (or is in a language without a grammar, or is too
        slow to parse: its directives are then not seen, as the file is not checked).
    """
    if MARKER not in source or _QUICK.search(source) is None:
        return None
    language = language_for_path(path)
    if language is None:
        return None
    try:
        grammar = load_grammar(grammar_key(language, path))
        deadline = time.monotonic() + _PARSE_BUDGET_S
        root = parse_tree(parser_for(grammar.key), source, deadline).root_node
    except (UnsupportedLanguage, OverBudget):
        return None
    found = Directives()
    seen: set[int] = set()
    start = source.find(MARKER)
    while start != -1:
        node = root.descendant_for_byte_range(start, start + len(MARKER))
        start = source.find(MARKER, start + 1)
        if node is None or "comment" not in node.type or node.id in seen:
            continue
        seen.add(node.id)
        _read_comment(source, node, found)
    return found if (found.file_rules or found.line_rules) else None


def _read_comment(source: bytes, node, found: Directives) -> None:
    text = (node.text or b"").decode("utf-8", "replace")
    row, col = node.start_point
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    own_line = not source[line_start : node.start_byte].strip()
    for match in _DIRECTIVE.finditer(text):
        codes = frozenset(
            code.upper() for code in _CODE.findall(match.group("codes") or "") if code
        )
        if match.group("codes") is not None and not codes:
            continue  # ``ignore[]`` names nothing: silencing everything would surprise
        if match.group("kind") == "ignore-file":
            if own_line and col == 0:
                found.file_rules.append(Rule(codes, row + 1, "file"))
        elif not own_line:  # at the end of a line of code
            found.line_rules[row + 1] = Rule(codes, row + 1)


def bind(path: str, directives: Directives | None, symbols: Iterable[Symbol]) -> Suppressions:
    """Tie ``directives`` to the definitions whose header lines hold them."""
    result = Suppressions(path)
    if directives is None:
        return result
    result.file_rules = list(directives.file_rules)
    if not directives.line_rules:
        return result
    for symbol in symbols:
        if symbol.kind == "module":
            continue
        first, last = _header_lines(symbol)
        for line in range(first, last + 1):
            rule = directives.line_rules.get(line)
            if rule is not None:
                span = symbol.span
                result.scopes.append(
                    _Scope(symbol.qualname, span.start_line + 1, span.end_line + 1, rule)
                )
                break
    return result


def _header_lines(symbol: Symbol) -> tuple[int, int]:
    """1-based first and last line of a definition's header: decorators to signature."""
    first = symbol.span.start_line + 1
    name_line = (symbol.name_span or symbol.span).start_line + 1
    last = name_line
    body = symbol.body_span
    if body is not None:
        body_line = body.start_line + 1
        if symbol.language == "python":  # the body starts after the line with ``:``
            last = max(last, body_line - 1) if body_line > name_line else name_line
        else:  # ``{`` opens the body on the header's last line
            last = max(last, body_line)
    return first, last


def suppressions_of(
    source: bytes, path: str, parsed: ParsedFile | None = None
) -> Suppressions | None:
    """The suppressions of one file, or ``None`` when it has no directive.

    Args:
        source: The file's bytes (as the parser reads them).
        path: Its path relative to the root.
        parsed: The file already parsed, if at hand (else it is parsed in outline mode).
    """
    directives = scan(source, path)
    if directives is None:
        return None
    if parsed is None and directives.line_rules:
        try:
            parsed = parse_source(source, path, outline=True)
        except (SkipFile, UnsupportedLanguage):
            parsed = None
    return bind(path, directives, parsed.symbols if parsed is not None else ())

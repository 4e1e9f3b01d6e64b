"""Edit planning: the pipeline's safe edits (insertions, stale updates), checked.

:class:`EditPlanning` is the part of :class:`assistant.pipeline.DocPipeline` that turns a
drafted result into a :class:`~assistant.edits.TextEdit` on the file's bytes and checks
it (the file must parse before and after, the docstring must land on its symbol); the
parse of the bytes edits are planned on is kept for the next edit on the same bytes. A
mixin over the pipeline's state; front ends reach it only through
:mod:`assistant.pipeline`.
"""

from __future__ import annotations

from assistant.edits import (
    EditRefused,
    TextEdit,
    apply_edits,
    check_edited,
    plan_comment_insertion,
    plan_python_insertion,
    plan_replacement,
)
from assistant.engine import Priority
from assistant.faithfulness import ParamFact, code_facts
from assistant.prompt import first_sentence
from assistant.results import DocResult
from assistant.stale import StaleFinding
from assistant.stale import plan_stale_update as _plan_stale_update
from assistant.styles import python_literal, wrap_comment
from assistant.styles.build import neutral_param_description
from indexer.symbols import Parameter, Symbol

PARSES_KEPT = 32
"""Parses of the files edits were last planned on, kept by their bytes (see ``_fresh``)."""


class EditPlanning:
    """Planning checked edits (mixed into ``DocPipeline``)."""

    def insertion_edit(self, source: bytes, symbol: Symbol, result: DocResult) -> TextEdit:
        """Plan the edit inserting ``result`` (no validation; see :meth:`plan_insertion`)."""
        text = result.docstring
        if symbol.language == "python":
            if symbol.doc_span is not None:
                return plan_replacement(
                    source,
                    symbol,
                    lambda indent, nl, quote: python_literal(text, indent, nl, quote),
                )
            return plan_python_insertion(
                source, symbol, lambda indent, nl: python_literal(text, indent, nl)
            )
        return plan_comment_insertion(
            source, symbol, lambda indent, nl: wrap_comment(text, result.style, indent, nl)
        )

    def plan_insertion(
        self, path: str, source: bytes, symbol: Symbol, result: DocResult, strict: bool = False
    ) -> TextEdit:
        """Return the edit that makes ``result`` the docstring of ``symbol``.

        The edit is checked: ``source`` must parse (a file that does not is never
        edited), the edited file too, and it must carry the new docstring on that symbol.

        Raises:
            EditRefused: The file does not parse, the symbol has a docstring by now
                (hand-written prose is never replaced; stale ones go through
                :meth:`plan_stale_update`), or the edit would damage the file or not land
                on the symbol.
        """
        symbol, edit = self.planned_insertion(path, source, symbol, result)
        edited = apply_edits(source, [edit])
        check_edited(
            source, edited, path, symbol.language, {symbol.qualname: result.docstring}, strict
        )
        return edit

    def planned_insertion(
        self, path: str, source: bytes, symbol: Symbol, result: DocResult
    ) -> tuple[Symbol, TextEdit]:
        """The symbol as found in ``source`` and the edit inserting ``result``, not yet
        checked: for edits checked together (:func:`assistant.edits.check_together`, one
        parse of the edited file for a file-wide action instead of one per edit).

        Raises:
            EditRefused: The symbol has a docstring by now, or cannot take one.
        """
        symbol = self._fresh(path, source, symbol)
        if symbol.docstring:
            raise EditRefused(f"{path}: {symbol.qualname} has a docstring now; it is not replaced")
        return symbol, self.insertion_edit(source, symbol, result)

    def stale_edit(
        self, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> tuple[TextEdit, str]:
        """Plan a stale update without validation: (edit, updated docstring text).

        What it writes is wrapped to the repository's line length (ruff, then black).
        """
        from assistant.line_length import project_line_length
        from indexer.text import symbol_source

        facts = code_facts(symbol, symbol_source(source, symbol))
        evidence = self.param_evidence.describer(
            self.target(symbol.path, source, symbol), finding.style, facts
        )

        def describe(param: Parameter) -> str:  # a stale entry is written without a type
            fact = ParamFact(param.name.lstrip("*"), param.kind, param.default, param.annotation)
            return evidence(param) or neutral_param_description(fact, "sphinx")

        return _plan_stale_update(source, symbol, finding, describe, project_line_length(self.root))

    def plan_stale_update(
        self,
        path: str,
        source: bytes,
        symbol: Symbol,
        finding: StaleFinding,
        priority: Priority | None = None,
        strict: bool = False,
    ) -> TextEdit:
        """Return the edit that brings a stale docstring's parameters up to date.

        Only the parameter entries change; descriptions of parameters that still exist
        (or were renamed) are kept; hand-written prose stays byte for byte. No model call.

        Raises:
            EditRefused: The parameter list cannot be located or the edit would damage
                the file.
        """
        del priority  # structural update: the model is not needed
        symbol, edit, text = self.planned_stale_update(path, source, symbol, finding)
        edited = apply_edits(source, [edit])
        check_edited(source, edited, path, symbol.language, {symbol.qualname: text}, strict)
        return edit

    def planned_stale_update(
        self, path: str, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> tuple[Symbol, TextEdit, str]:
        """The symbol as found in ``source``, the stale update's edit and the docstring it
        writes, not yet checked (see :meth:`planned_insertion`).

        Raises:
            EditRefused: The parameter list cannot be located.
        """
        symbol = self._fresh(path, source, symbol)
        edit, text = self.stale_edit(source, symbol, finding)
        return symbol, edit, text

    def stale_result(
        self, path: str, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> tuple[DocResult, TextEdit]:
        """Return the :class:`DocResult` and edit of a stale update."""
        edit, text = self.stale_edit(source, symbol, finding)
        result = DocResult(
            path=path,
            qualname=symbol.qualname,
            kind=symbol.kind,
            line=symbol.line,
            summary=first_sentence(text),
            docstring=text,
            confidence=1.0,
            notes=[finding.message],
            style=finding.style,
            action="update",
            provenance=("existing", ""),
        )
        return result, edit

    def _fresh(self, path: str, source: bytes, symbol: Symbol) -> Symbol:
        """Re-find ``symbol`` in ``source`` so spans match the bytes being edited.

        The parse is kept for the next edit planned on the same bytes (a file-wide
        action, "Generate docstring" after "Generate docstring"): parsing a large file
        for every edit was most of the server's Python time under load (measured)."""
        from indexer.parser import parse_source

        key = (path, symbol.language, source)
        with self._parses_lock:
            parsed = self._parses.get(key)
            if parsed is not None:
                self._parses.move_to_end(key)
        if parsed is None:
            parsed = parse_source(source, path, symbol.language)
            with self._parses_lock:
                self._parses[key] = parsed
                while len(self._parses) > PARSES_KEPT:
                    self._parses.popitem(last=False)
        same = [s for s in parsed.symbols if s.qualname == symbol.qualname]
        # one name can be defined twice (``if``/``else`` branches): the one nearest the
        # symbol's old place, which is its place when the bytes are the same
        start = symbol.span.start_byte
        return min(same, key=lambda s: abs(s.span.start_byte - start), default=symbol)

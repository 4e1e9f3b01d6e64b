"""Edits checked by the top-level statements they touch: the verdict is the whole file's
(every acceptance is one the whole-file check makes), at the cost of the statements."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

import indexer.parser
from assistant.edit_regions import edited_region, statement_spans
from assistant.edits import (
    EditRefused,
    TextEdit,
    check_edited,
    check_together,
    plan_python_insertion,
)
from assistant.styles import python_literal
from indexer.parser import parse_source

MODULE = (
    "import os\n\n\n"
    "@decorator\n"
    "class Shelf:\n"
    "    def put(self, item):\n"
    "        return item\n\n"
    "    def take(self):\n"
    "        return None\n\n\n"
    "def helper(x):\n"
    "    return x\n"
) + "".join(f"\n\ndef f{i}(x):\n    return x + {i}\n" for i in range(200))


def _insertion(source: bytes, qualname: str, doc: str) -> TextEdit:
    symbol = next(s for s in parse_source(source, "m.py").symbols if s.qualname == qualname)
    return plan_python_insertion(
        source, symbol, lambda ind, nl, doc=doc: python_literal(doc, ind, nl)
    )


def _at(source: bytes, marker: bytes, text: str) -> TextEdit:
    at = source.index(marker)
    return TextEdit(0, 0, 0, 0, text, at, at)


def test_a_method_docstring_is_checked_by_its_class_alone(monkeypatch) -> None:
    source = MODULE.encode()
    edit = _insertion(source, "Shelf.take", "Take the item back.")
    sizes: list[int] = []
    real = indexer.parser.parse_source
    monkeypatch.setattr(
        indexer.parser,
        "parse_source",
        lambda src, *a, **k: sizes.append(len(src)) or real(src, *a, **k),
    )
    kept, edited, refused = check_together(
        source, "m.py", "python", [("Shelf.take", "Take the item back.", edit)]
    )
    assert kept == [0] and refused == []
    after = {s.qualname: s.docstring for s in parse_source(edited, "m.py").symbols}
    assert after["Shelf.take"] == "Take the item back." and after["Shelf.put"] is None
    start = source.index(b"@decorator")
    class_size = source.index(b"def helper") - start
    assert sizes and max(sizes) < class_size + 100 < len(source) / 10  # the class, not the file


def test_the_region_starts_at_the_decorators_and_ends_with_the_statement() -> None:
    source = MODULE.encode()
    region = edited_region(source, [_insertion(source, "Shelf.put", "Put an item.")])
    assert region is not None and region.startswith(b"@decorator\nclass Shelf:")
    assert b"def helper" not in region and b'"""Put an item."""' in region


@pytest.mark.parametrize(
    "why, edit",
    [
        ("between two statements", lambda s: _at(s, b"\n\ndef helper", "x = (\n")),
        (
            "across two statements",
            lambda s: TextEdit(0, 0, 0, 0, "", s.index(b"return None"), s.index(b"def helper") + 3),
        ),
    ],
)
def test_an_edit_outside_one_statement_has_no_region(why, edit) -> None:
    source = MODULE.encode()
    assert edited_region(source, [edit(source)]) is None, why


def test_sources_the_offsets_may_not_agree_on_are_not_split() -> None:
    assert statement_spans(b"x = 1\ry = 2\r") is None  # lone carriage returns
    assert statement_spans(b"def f(:\n") is None  # does not parse
    assert statement_spans(b"x = 1\r\ny = 2\r\n") == ((0, 7), (7, 14))


BREAKERS = [
    "        '''unterminated\n",  # a string running into the next statements
    "        (\n",  # a bracket left open
    "        x = 1 \\\n",  # a continuation onto whatever follows
    "    return\n",  # wrong indentation
    "def\n",  # a dedent that breaks the class
]


@pytest.mark.parametrize("breaker", BREAKERS)
def test_an_edit_that_breaks_the_file_is_refused_with_the_files_line(breaker) -> None:
    source = MODULE.encode()
    edit = _at(source, b"        return None", breaker)
    kept, edited, refused = check_together(source, "m.py", "python", [("Shelf.take", None, edit)])
    assert kept == [] and edited == source and len(refused) == 1
    with pytest.raises(EditRefused) as whole:
        check_edited(
            source,
            source[: edit.start_byte] + breaker.encode() + source[edit.start_byte :],
            "m.py",
            "python",
        )
    assert refused[0][1] == str(whole.value)  # the whole file's message, its line numbers


def _stdlib(name: str) -> bytes:
    return (Path(sysconfig.get_paths()["stdlib"]) / name).read_bytes()


@pytest.mark.parametrize("module", ["textwrap.py", "email/message.py"])
def test_region_verdicts_agree_with_the_whole_file_on_real_modules(module) -> None:
    """For every function of a real module: its docstring inserted, and each breaker put
    at the start of its body, check_together's verdict is the whole file's."""
    source = _stdlib(module)
    symbols = [s for s in parse_source(source, module).symbols if s.kind in ("function", "method")]
    assert len(symbols) > 10
    for symbol in symbols[:: max(1, len(symbols) // 20)]:
        good = plan_python_insertion(
            source, symbol, lambda ind, nl: python_literal("Say it.", ind, nl)
        )
        edits = [(symbol.qualname, "Say it.", good)]
        edits += [
            (symbol.qualname, None, TextEdit(0, 0, 0, 0, b, good.start_byte, good.start_byte))
            for b in BREAKERS
        ]
        for planned in edits:
            kept, _, _ = check_together(source, module, "python", [planned])
            edited = (
                source[: planned[2].start_byte]
                + planned[2].new_text.encode()
                + source[planned[2].end_byte :]
            )
            expected = [(planned[0], planned[1])] if planned[1] else None
            try:
                check_edited(source, edited, module, "python", expected)
                whole = [0]
            except EditRefused:
                whole = []
            assert kept == whole, (symbol.qualname, planned[2].new_text)

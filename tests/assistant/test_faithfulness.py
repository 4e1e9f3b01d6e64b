"""The faithfulness check (issue #12 item 1): nothing a drafted docstring states about the
code may be false. Cases follow the issue's regressions: ``rich.progress.open`` (a required
``file`` "defaulting" to None, ``description`` "defaulting" to "Working" although the code
says "Reading..."), Returns filler made from the name, a neighbour's ``quantity`` in a
function that has none, "Remove ... to the warehouse"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.faithfulness import (
    check_model,
    check_rendered,
    code_facts,
    make_faithful,
    neutral_description,
    same_value,
    stated_defaults,
    strip_default_claims,
)
from assistant.lexicon import ParamLexicon
from assistant.readback import read_back
from assistant.styles import DocModel, ParamDoc, RaiseDoc, ValueDoc, render
from assistant.styles.build import build_doc_model
from assistant.summaries import Vocabulary, candidate_pool, choose_summary, fix_preposition
from indexer.parser import parse_source
from indexer.text import symbol_source
from tests.conftest import write_tree

PYTHON_STYLES = ["google", "numpy", "sphinx", "pep257"]

OPEN = """
def open(file, mode="r", buffering=-1, *, description="Reading...", total=None, **kwargs):
    reader = _Reader(file, mode, buffering)
    return Progress(reader, description=description, total=total, **kwargs)
"""

RICH_LEXICON = (
    "Print.\n\nArgs:\n"
    "    file: File to write to, or None for stdout. Defaults to None.\n"
    '    description: Description of task. Defaults to "Working".\n'
    "    mode: Mode, optional. default: 'w'\n"
)


def _symbol(code: str, qualname: str, path: str = "pkg/mod.py", language: str = "python"):
    source = code.encode()
    parsed = parse_source(source, path, language)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    return symbol, symbol_source(source, symbol)


def _lexicon(text: str = RICH_LEXICON) -> ParamLexicon:
    lexicon = ParamLexicon()
    lexicon.add_docstring(text)
    return lexicon


# --- stated defaults ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "code", "same"),
    [
        ('"Reading..."', "'Reading...'", True),
        ("``'Reading...'``", '"Reading..."', True),
        ('"Working"', '"Reading..."', False),
        (".5", "0.5", True),
        ("None", "None", True),
        ("``None``", "0", False),
        ("1", "True", False),
        ("DEFAULT_TAX_RATE", "DEFAULT_TAX_RATE", True),
        ("``field(default_factory=dict)``", "field(default_factory = dict)", True),
        ("stdout", "None", False),
        ("the current directory", "None", False),
    ],
)
def test_defaults_compare_as_values_or_normalised_syntax(stated, code, same) -> None:
    assert same_value(stated, code) is same


def test_default_phrases_of_every_style_are_read() -> None:
    assert [v for v, _, _ in stated_defaults('Task text. Defaults to "Working".')] == ['"Working"']
    assert [v for v, _, _ in stated_defaults("Mode (default 'r').")] == ["'r'"]
    assert [v for v, _, _ in stated_defaults("Limit (default max(1, n)).")] == ["max(1, n)"]
    assert [v for v, _, _ in stated_defaults("Rate, default: 0.5")] == ["0.5"]
    # a sentence's period is not part of the value; an Ellipsis' dots are
    assert [same_value(v, "1") for v, _, _ in stated_defaults("Count. Defaults to 1.")] == [True]
    assert [same_value(v, "...") for v, _, _ in stated_defaults("Defaults to ``...``.")] == [True]
    assert strip_default_claims('Task text. Defaults to "Working".') == "Task text."
    assert strip_default_claims("Mode (default 'r'). Read mode.") == "Mode. Read mode."


# --- the regressions, at the source (the builder) ---------------------------------


def test_prose_defaults_are_read_as_prose() -> None:
    """ "The default is a callable" speaks of something else; "Defaults to autodetection"
    explains a default without a value to compare; both are fine for a parameter that has
    a default, and the second is false for a required one."""
    assert stated_defaults("If the default is a callable, call it.") == []
    assert stated_defaults("The default is to not echo.") == []
    assert [v for v, _, _ in stated_defaults("The default is ``None``.")] == ["``None``"]
    code = "def show(color=None, echo=False, *, wait):\n    return color, echo, wait\n"
    symbol, text = _symbol(code, "show")
    facts = code_facts(symbol, text)
    doc = DocModel(
        summary="Show it.",
        params=[
            ParamDoc("color", None, "Force color. Defaults to autodetection."),
            ParamDoc("echo", None, "Echo it. The default is to not echo."),
            ParamDoc("wait", None, "Wait. Defaults to autodetection."),
        ],
        returns=ValueDoc(None, "The result."),
    )
    assert [(v.rule, v.where) for v in check_model(doc, facts)] == [("default", "parameter wait")]


@pytest.mark.parametrize("style", PYTHON_STYLES)
def test_rich_progress_open_states_only_the_codes_defaults(style: str) -> None:
    symbol, code = _symbol(OPEN, "open")
    doc = build_doc_model(symbol, "Open a file for reading.", code, style, _lexicon().describe)
    text = render(doc, style)
    entries = {p.bare_name: p for p in read_back(text, style).params}
    # written for another function's optional ``file``: nothing of it is borrowed
    assert entries["file"].description == "The ``file`` value."
    assert entries["description"].description.startswith("The ``description`` value.")
    assert "Working" not in text and "'w'" not in text
    assert "Reading..." in text  # the code's own default is stated
    facts = code_facts(symbol, code)
    assert check_model(doc, facts) == []
    assert check_rendered(text, style, symbol, code) == []


def test_a_planted_false_default_is_caught_and_removed() -> None:
    symbol, code = _symbol(OPEN, "open")
    facts = code_facts(symbol, code)
    doc = DocModel(
        summary="Open a file for reading.",
        params=[
            ParamDoc("file", None, "File to write to, or None for stdout. Defaults to None."),
            ParamDoc("mode", None, "Mode. Defaults to ``'r'``.", "'r'"),
            ParamDoc("description", None, 'Description of task. Defaults to "Working".'),
            ParamDoc("total", "int, optional", "Total steps."),
        ],
        returns=ValueDoc(None, "The reader."),
        symbol_name="open",
    )
    rules = {(v.rule, v.where) for v in check_model(doc, facts)}
    assert rules == {("default", "parameter file"), ("default", "parameter description")}
    for style in PYTHON_STYLES:
        out = make_faithful(doc, style, "python", facts, neutral_description)
        assert "Defaults to None" not in out.text and "Working" not in out.text
        assert (
            "Defaults to ``'r'``" in out.text or "(default 'r')" in out.text or (style == "pep257")
        )
        assert len(out.fixes) == 2
        assert check_rendered(out.text, style, symbol, code) == []


def test_a_required_parameter_is_never_optional_and_kinds_are_the_codes() -> None:
    symbol, code = _symbol(OPEN, "open")
    facts = code_facts(symbol, code)
    doc = DocModel(
        summary="Open it.",
        params=[
            ParamDoc("file", "str, optional", "The file."),
            ParamDoc("*mode", None, "Mode."),
            ParamDoc("buffering", None, "Keyword-only. Buffer size."),
            ParamDoc("ghost", None, "Not a parameter."),
            ParamDoc("**kwargs", None, "Passed on."),
        ],
        returns=ValueDoc(None, "The reader."),
    )
    found = {(v.rule, v.where) for v in check_model(doc, facts)}
    assert found == {
        ("param-kind", "parameter file"),
        ("param-kind", "parameter *mode"),
        ("param-kind", "parameter buffering"),
        ("param-exists", "parameter ghost"),
    }
    out = make_faithful(doc, "numpy", "python", facts, neutral_description)
    assert "ghost" not in out.text and "optional" not in out.text
    assert "Keyword-only" not in out.text and "*mode" not in out.text
    assert "**kwargs" in out.text


RAISES = """
def load(path, strict=False):
    try:
        data = read(path)
    except KeyError:
        raise
    except (OSError, TypeError) as error:
        if strict:
            raise error
    if not data:
        raise ValueError("empty")

    def inner():
        raise RuntimeError("not ours")

    return data
"""


def test_documented_exceptions_must_be_raised_in_the_own_body() -> None:
    symbol, code = _symbol(RAISES, "load")
    facts = code_facts(symbol, code)
    assert facts.raises == {"KeyError", "OSError", "TypeError", "ValueError"}
    doc = DocModel(
        summary="Load a file.",
        returns=ValueDoc(None, "The data."),
        raises=[RaiseDoc("ValueError", "If empty."), RaiseDoc("RuntimeError", "Never here.")],
    )
    assert [(v.rule, v.where) for v in check_model(doc, facts)] == [
        ("raises", "Raises RuntimeError")
    ]
    out = make_faithful(doc, "google", "python", facts, neutral_description)
    assert "RuntimeError" not in out.text and "ValueError: If empty." in out.text


FUNCTIONS = """
import typing as t


def nothing(x) -> None:
    print(x)


def bare(x):
    if x:
        return
    return None


def count() -> int:
    return 1


def numbers(limit: int) -> t.Iterator[tuple[str, int]]:
    yield ("a", limit)


class Base:
    def area(self) -> float:
        raise NotImplementedError
"""


@pytest.mark.parametrize("qualname", ["nothing", "bare"])
def test_no_returns_for_a_function_that_returns_nothing(qualname: str) -> None:
    symbol, code = _symbol(FUNCTIONS, qualname)
    facts = code_facts(symbol, code)
    doc = DocModel(summary="Do it.", returns=ValueDoc(None, "The result."))
    assert [v.rule for v in check_model(doc, facts)] == ["returns"]
    for style in [*PYTHON_STYLES, "jsdoc"]:
        out = make_faithful(doc, style, "python", facts, neutral_description)
        assert "Returns" not in out.text and "@returns" not in out.text
        assert "result" not in out.text


def test_generators_get_yields_not_returns_and_types_follow_the_annotation() -> None:
    symbol, code = _symbol(FUNCTIONS, "numbers")
    facts = code_facts(symbol, code)
    doc = DocModel(summary="Count up.", returns=ValueDoc("tuple[str, int]", "Pairs."))
    assert [v.rule for v in check_model(doc, facts)] == ["returns"]
    built = build_doc_model(symbol, "Count up.", code, "numpy", ParamLexicon().describe)
    assert built.returns is None and built.yields is not None
    assert built.yields.type == "tuple[str, int]"
    wrong = DocModel(summary="Count up.", yields=ValueDoc("int", "Numbers."))
    assert [v.rule for v in check_model(wrong, facts)] == ["type"]
    out = make_faithful(wrong, "numpy", "python", facts, neutral_description)
    assert "tuple[str, int]" in out.text and "\nint\n" not in out.text
    symbol, code = _symbol(FUNCTIONS, "count")
    typed = DocModel(summary="Count.", returns=ValueDoc("str", "The count."))
    assert [v.rule for v in check_model(typed, code_facts(symbol, code))] == ["type"]


def test_a_stub_returns_what_its_annotation_says() -> None:
    symbol, code = _symbol(FUNCTIONS, "Base.area")
    doc = build_doc_model(symbol, "Area.", code, "sphinx", ParamLexicon().describe)
    assert doc.returns is not None and doc.returns.type == "float"
    assert check_model(doc, code_facts(symbol, code)) == []


STOCK = """
class Warehouse:
    def add_stock(self, sku: str, quantity: int = 1) -> None:
        self.stock[sku] = self.stock.get(sku, 0) + quantity

    def remove_stock(self, sku: str, quantity: int = 1) -> int:
        self.stock[sku] -= quantity
        return self.stock[sku]

    def open(self, path):
        return self.reader(path)


def cheapest_items(items: list, limit: int = 3) -> list:
    return sorted(items, key=lambda item: item.unit_price)[:limit]
"""


@pytest.mark.parametrize("style", PYTHON_STYLES)
@pytest.mark.parametrize("qualname", ["Warehouse.remove_stock", "Warehouse.open"])
def test_returns_are_never_filler_built_from_the_name(style: str, qualname: str) -> None:
    symbol, code = _symbol(STOCK, qualname)
    summary = "Remove units." if "remove" in qualname else "Open it."
    doc = build_doc_model(symbol, summary, code, style, ParamLexicon().describe)
    text = render(doc, style)
    assert doc.returns is not None
    assert "The remove stock." not in text and "The open." not in text


def test_an_identifier_only_a_neighbours_summary_names_is_not_grounded() -> None:
    symbol, code = _symbol(STOCK, "cheapest_items")
    neighbour = ("total_price", "Return the price of ``quantity`` units in cents.")
    vocab = Vocabulary.from_texts([code, *neighbour])  # what the ranker sees
    grounded = Vocabulary.from_texts([code, symbol.qualname, neighbour[0]])
    refined = choose_summary(
        [("Return the items of ``quantity`` units.", -0.1)],
        vocab,
        symbol,
        [neighbour],
        grounded=grounded,
    )
    assert "quantity" not in refined.summary
    facts = code_facts(symbol, code, [neighbour[0]])
    planted = DocModel(summary="Return the items of ``quantity`` units.", kind="function")
    assert [v.rule for v in check_model(planted, facts)] == ["identifier"]
    out = make_faithful(planted, "google", "python", facts, neutral_description)
    assert "quantity" not in out.text and out.fixes
    # named by the evidence about this code (a callee's summary): grounded
    assert check_model(planted, code_facts(symbol, code, ["price_of uses quantity"])) == []


def test_two_code_spans_in_one_sentence_are_two_tokens() -> None:
    """The prose between ``True`` and ``False`` is not one identifier."""
    symbol, code = _symbol("def run(wait=False):\n    return block(wait is True)\n", "run")
    facts = code_facts(symbol, code)
    doc = DocModel(
        summary="Run it.",
        params=[ParamDoc("wait", None, "If ``True`` it blocks. Defaults to ``False``.")],
        returns=ValueDoc(None, "The result."),
    )
    assert check_model(doc, facts) == []


def test_an_adapted_neighbour_keeps_its_preposition_true() -> None:
    original = "Add ``quantity`` units of ``sku`` to the warehouse."
    adapted = "Remove ``quantity`` units of ``sku`` to the warehouse."
    assert fix_preposition(original, adapted) == (
        "Remove ``quantity`` units of ``sku`` from the warehouse."
    )
    symbol, code = _symbol(STOCK, "Warehouse.remove_stock")
    vocab = Vocabulary.from_texts([code, original])
    refined = choose_summary([], vocab, symbol, [("add_stock", original)])
    assert refined.summary == "Remove ``quantity`` units of ``sku`` from the warehouse."


# --- every style, text read back ----------------------------------------------------------

ALL_STYLES = [*PYTHON_STYLES, "jsdoc", "javadoc", "rustdoc", "godoc"]


@pytest.mark.parametrize("style", ALL_STYLES)
def test_every_style_renders_nothing_false(style: str) -> None:
    symbol, code = _symbol(OPEN, "open")
    facts = code_facts(symbol, code)
    planted = DocModel(
        summary="Open ``console_file`` for reading.",
        params=[
            ParamDoc("file", None, "File. Defaults to None."),
            ParamDoc("ghost", None, "Not there."),
            ParamDoc("description", None, 'Task. Defaults to "Working".'),
        ],
        returns=ValueDoc(None, "The ``ProgressReader``."),
        raises=[RaiseDoc("KeyError", "Never raised.")],
        symbol_name="open",
    )
    out = make_faithful(planted, style, "python", facts, neutral_description)
    for false in ("console_file", "ghost", "Working", "Defaults to None", "KeyError"):
        assert false not in out.text, (style, out.text)
    assert "ProgressReader" not in out.text
    assert out.fixes
    assert check_rendered(out.text, style, symbol, code) == []


@pytest.mark.parametrize("style", ALL_STYLES)
def test_read_back_recovers_what_each_style_states(style: str) -> None:
    doc = DocModel(
        summary="Return the price.",
        params=[ParamDoc("price", "int", "Price in cents.", None)],
        returns=ValueDoc("int", "The price."),
        raises=[RaiseDoc("ValueError", "If negative.")],
        symbol_name="price",
    )
    back = read_back(render(doc, style, "javascript"), style)
    if style == "godoc":  # GoDoc has no sections
        assert back.params == [] and back.returns is None
        return
    assert [p.bare_name for p in back.params] == ["price"]
    if style != "rustdoc":  # rustdoc renders arguments only
        assert back.returns is not None and "price" in back.returns.description
        assert [r.name for r in back.raises] == ["ValueError"]


def test_the_rendered_text_is_checked_too() -> None:
    """PEP 257 renders the default from ``ParamDoc.default``; a wrong one there is caught
    in the rendered text and the docstring reduced to what is true."""
    symbol, code = _symbol(OPEN, "open")
    facts = code_facts(symbol, code)
    doc = DocModel(summary="Open it.", params=[ParamDoc("mode", None, "Mode.", "'w'")])
    assert check_model(doc, facts) == []  # the model's prose states no default
    out = make_faithful(doc, "pep257", "python", facts, neutral_description)
    assert "'w'" not in out.text and out.text == "Open it."
    assert any("rendered text" in fix for fix in out.fixes)


def test_javascript_defaults_and_throws_are_checked() -> None:
    code = "function load(path, retries = 3) {\n  if (!path) throw new TypeError('no');\n}\n"
    symbol, source_code = _symbol(code, "load", "a.js", "javascript")
    facts = code_facts(symbol, source_code)
    doc = DocModel(
        summary="Load a path.",
        params=[
            ParamDoc("path", None, "The path."),
            ParamDoc("retries", None, "Retries. Defaults to 5."),
        ],
        raises=[RaiseDoc("TypeError", ""), RaiseDoc("RangeError", "")],
    )
    found = {(v.rule, v.where) for v in check_model(doc, facts)}
    assert found == {("default", "parameter retries"), ("raises", "Raises RangeError")}
    out = make_faithful(doc, "jsdoc", "javascript", facts, neutral_description)
    assert "Defaults to 5" not in out.text and "{TypeError}" in out.text
    assert "RangeError" not in out.text


# --- the pipeline: nothing false reaches the output --------------------------------------

PLANTED_REPO = {
    "pyproject.toml": "[tool.docgen]\n",
    "pkg/__init__.py": "",
    "pkg/console.py": (
        "def print_to(text, file=None, description='Working'):\n"
        '    """Print text.\n\n'
        "    Args:\n"
        "        text: What to print.\n"
        "        file: File to write to, or None for stdout. Defaults to None.\n"
        '        description: Description of task. Defaults to "Working".\n'
        "        mode: Taken from ``Console.file_mode``.\n"
        '    """\n'
        "    write(text, file)\n"
    ),
    "pkg/progress.py": (
        "def open(file, mode='r', *, description='Reading...'):\n"
        "    return Reader(file, mode, description)\n"
    ),
}


class _PlantingGenerator:
    """A drafting model that writes false things (the model is the one untrusted part)."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.max_input_tokens = 512

    def generate(self, prompts, config=None):
        from assistant.engine import Hypothesis

        text = "Open ``console_stream`` for reading and return ``ProgressReader``."
        return [[Hypothesis(text, -0.1)] for _ in prompts]


@pytest.mark.parametrize("style", PYTHON_STYLES)
def test_a_planted_false_default_never_reaches_the_output(
    tmp_path: Path, make_pipeline, generator, style: str
) -> None:
    root = write_tree(tmp_path / "repo", PLANTED_REPO)
    rel = "pkg/progress.py"
    source = (root / rel).read_bytes()
    symbol = next(s for s in parse_source(source, rel).symbols if s.name == "open")
    pipeline = make_pipeline(root, gen=_PlantingGenerator(generator.model_id), style=style)
    for attempt in range(2):  # drafted, then from the cache
        result = pipeline.document_symbol(rel, source, symbol)
        assert result.cached is bool(attempt)
        text = result.docstring
        assert "Defaults to None" not in text and "Working" not in text, text
        assert "console_stream" not in text and "ProgressReader" not in text
        assert "Reading..." in text and "file_mode" not in text
        code = symbol_source(source, symbol)
        assert check_rendered(text, style, symbol, code) == []
        record = result.to_json()
        assert record["docstring"] == text and "Working" not in str(record)


def test_the_pipeline_gate_catches_what_a_builder_would_let_through(
    tmp_path: Path, make_pipeline, generator, monkeypatch
) -> None:
    """The check sits where DocResult is made: whatever the doc model states (here a
    builder that plants every kind of falsehood), the result shows none of it."""
    import assistant.pipeline as pipeline_module

    def planting_builder(symbol, summary, code, style, describe, reasons=None):
        return DocModel(
            summary="Open ``console_stream`` for reading.",
            params=[
                ParamDoc("file", None, "The file. Defaults to None."),
                ParamDoc("mode", None, "Mode. Defaults to ``'w'``."),
                ParamDoc("ghost", None, "Not a parameter."),
            ],
            yields=ValueDoc(None, "Lines."),
            raises=[RaiseDoc("KeyError", "Never.")],
            symbol_name=symbol.name,
            kind=symbol.kind,
        )

    monkeypatch.setattr(pipeline_module, "build_doc_model", planting_builder)
    root = write_tree(tmp_path / "repo", PLANTED_REPO)
    rel = "pkg/progress.py"
    source = (root / rel).read_bytes()
    symbol = next(s for s in parse_source(source, rel).symbols if s.name == "open")
    result = make_pipeline(root).document_symbol(rel, source, symbol)
    for false in ("console_stream", "Defaults to None", "'w'", "ghost", "Yields", "KeyError"):
        assert false not in result.docstring, result.docstring
    assert result.docstring.startswith("Open for reading.")
    assert "parameter file: states default 'None'; it is required" in result.faithfulness
    assert len(result.faithfulness) == 7 and result.to_json()["faithfulness"]
    assert any("removed what the code contradicts" in note for note in result.notes)
    assert check_rendered(result.docstring, "google", symbol, symbol_source(source, symbol)) == []


def test_a_removed_identifier_takes_its_rest_role_along() -> None:
    symbol, code = _symbol(STOCK, "cheapest_items")
    facts = code_facts(symbol, code)
    planted = DocModel(summary="Sort a :class:`ShellComplete` list of items.", kind="function")
    out = make_faithful(planted, "google", "python", facts, neutral_description)
    assert out.text == "Sort list of items." and ":class:" not in out.text


def test_a_url_is_not_an_identifier() -> None:
    symbol, code = _symbol(STOCK, "cheapest_items")
    facts = code_facts(symbol, code)
    doc = DocModel(summary="Sort items as <https://json.org> says.", kind="function")
    assert check_model(doc, facts, False) == []
    # cleaning keeps it (which candidate the ranker then prefers is the ranker's business)
    pool = candidate_pool([("Sort items as <https://json.org> says.", -0.1)], Vocabulary(), symbol)
    model = [(c.text, flagged) for c, flagged, _ in pool if c.source == "model"]
    assert model == [("Sort items as <https://json.org> says.", [])]

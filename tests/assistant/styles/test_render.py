"""Rendering and detection of every docstring style."""

from __future__ import annotations

import ast

import pytest

from assistant.styles import (
    DocModel,
    ParamDoc,
    RaiseDoc,
    ValueDoc,
    detect_docstring_style,
    detect_repo_style,
    find_params,
    python_literal,
    render,
    wrap_comment,
)


def _doc(typed: bool = False) -> DocModel:
    return DocModel(
        summary="Return the price after a discount.",
        params=[
            ParamDoc("price", "int" if typed else None, "Price in cents."),
            ParamDoc("percent", "float" if typed else None, "Discount in percent.", "0"),
            ParamDoc("*args", None, "Additional positional arguments."),
        ],
        returns=ValueDoc("int" if typed else None, "The discounted price."),
        raises=[RaiseDoc("ValueError", "If ``percent > 100``.")],
        symbol_name="ApplyDiscount",
    )


EXPECTED = {
    "google": """Return the price after a discount.

Args:
    price: Price in cents.
    percent: Discount in percent.
    *args: Additional positional arguments.

Returns:
    The discounted price.

Raises:
    ValueError: If ``percent > 100``.""",
    "numpy": """Return the price after a discount.

Parameters
----------
price : int
    Price in cents.
percent : float
    Discount in percent.
*args
    Additional positional arguments.

Returns
-------
int
    The discounted price.

Raises
------
ValueError
    If ``percent > 100``.""",
    "sphinx": """Return the price after a discount.

:param price: Price in cents.
:type price: int
:param percent: Discount in percent.
:type percent: float
:param args: Additional positional arguments.
:returns: The discounted price.
:rtype: int
:raises ValueError: If ``percent > 100``.""",
    "pep257": """Return the price after a discount.

Arguments:
price -- Price in cents.
percent -- Discount in percent. (default 0)
*args -- Additional positional arguments.

Returns:
The discounted price.

Raises:
ValueError -- If ``percent > 100``.""",
    "jsdoc": """Return the price after a discount.

@param {int} price - Price in cents.
@param {float} percent - Discount in percent.
@param args - Additional positional arguments.
@returns {int} The discounted price.
@throws {ValueError} If ``percent > 100``.""",
    "javadoc": """Return the price after a discount.

@param price Price in cents.
@param percent Discount in percent.
@param args Additional positional arguments.
@return The discounted price.
@throws ValueError If ``percent > 100``.""",
    "godoc": "ApplyDiscount returns the price after a discount.",
    "rustdoc": """Return the price after a discount.

# Arguments

* `price` - Price in cents.
* `percent` - Discount in percent.
* `args` - Additional positional arguments.""",
}


@pytest.mark.parametrize("style", sorted(EXPECTED))
def test_render_each_style(style: str) -> None:
    typed = style in ("numpy", "sphinx", "jsdoc")
    language = "javascript" if style == "jsdoc" else "python"
    assert render(_doc(typed), style, language) == EXPECTED[style]


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx", "pep257"])
def test_detect_each_python_style_and_read_its_parameters(style: str) -> None:
    text = EXPECTED[style]
    assert detect_docstring_style(text) == style
    block = find_params(text, style)
    assert block is not None
    assert [e.bare_name for e in block.entries] == ["price", "percent", "args"]
    assert block.entries[0].description == "Price in cents."


@pytest.mark.parametrize("style", ["jsdoc", "javadoc", "rustdoc"])
def test_comment_styles_read_their_parameters(style: str) -> None:
    block = find_params(EXPECTED[style], style)
    assert block is not None
    assert [e.bare_name for e in block.entries] == ["price", "percent", "args"]


def test_prose_only_docstrings_do_not_vote() -> None:
    assert detect_docstring_style("Return the thing.") is None
    assert detect_docstring_style("Summary.\n\nMore prose that mentions Args: inline.") is None


def test_repo_style_is_the_majority_and_defaults_to_google() -> None:
    docs = [EXPECTED["numpy"], EXPECTED["numpy"], EXPECTED["google"], "One line.", None]
    assert detect_repo_style(docs) == "numpy"
    assert detect_repo_style(["One line.", "Another."]) == "google"
    assert detect_repo_style([], default="sphinx") == "sphinx"
    # ties go to the documented order (google, numpy, sphinx, pep257)
    assert detect_repo_style([EXPECTED["sphinx"], EXPECTED["numpy"]]) == "numpy"


def test_python_literal_indents_and_quotes() -> None:
    body = EXPECTED["google"]
    literal = python_literal(body, "    ")
    lines = literal.split("\n")
    assert lines[0] == '"""Return the price after a discount.'
    assert lines[1] == ""  # blank lines carry no trailing whitespace
    assert lines[2] == "    Args:"
    assert lines[-1] == '    """'
    assert python_literal("One line.", "  ") == '"""One line."""'
    assert python_literal("Tabs.\n\nMore.", "\t", "\r\n") == '"""Tabs.\r\n\r\n\tMore.\r\n\t"""'


@pytest.mark.parametrize(
    "body",
    [
        r"Match a \d+ digit run.",
        'Say "hi" and end with a quote"',
        'Contains """ triple quotes and a \\ backslash.',
        "Ends with a backslash \\",
    ],
)
def test_python_literal_is_valid_python_holding_the_text(body: str) -> None:
    source = f"def f():\n    {python_literal(body, '    ')}\n"
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    got = ast.get_docstring(node)
    assert got is not None and got.strip() == body.strip()


def test_wrap_comment_markers() -> None:
    assert wrap_comment("Short.", "jsdoc", "  ") == "  /** Short. */\n"
    assert (
        wrap_comment("A.\n\nB.", "javadoc", "", "\r\n") == "/**\r\n * A.\r\n *\r\n * B.\r\n */\r\n"
    )
    assert wrap_comment("A.\n\nB.", "godoc", "\t") == "\t// A.\n\t//\n\t// B.\n"
    assert wrap_comment("A.", "rustdoc", "    ") == "    /// A.\n"
    assert "*/" not in wrap_comment("Stop */ here.", "jsdoc", "")[:-4]


def test_typescript_jsdoc_leaves_types_to_the_signature() -> None:
    text = render(_doc(typed=True), "jsdoc", "typescript")
    assert "{int}" not in text and "@param price - Price in cents." in text

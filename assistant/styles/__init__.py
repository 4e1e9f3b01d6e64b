"""Docstring styles: detect a repository's convention and render docstrings in it.

Python: ``google``, ``numpy``, ``sphinx`` (reST fields) and ``pep257`` (plain, the PEP's
``name -- description`` lists). Other languages use their own doc comments: ``jsdoc``
(JavaScript, TypeScript), ``javadoc`` (Java), ``godoc`` (Go), ``rustdoc`` (Rust).

Rendering produces the docstring *text* (no quotes, markers or indentation: what the
JSON output calls ``docstring``); :func:`python_literal` and :func:`wrap_comment` turn it
into source text at a given indentation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from assistant.styles.comments import COMMENT_STYLES, render_comment_text, wrap_comment
from assistant.styles.comments import find_params as _find_comment_params
from assistant.styles.docmodel import DocModel, ParamDoc, RaiseDoc, ValueDoc, signature_parameters
from assistant.styles.python import PYTHON_STYLES, ParamBlock, ParamEntry

__all__ = [
    "COMMENT_STYLES",
    "DEFAULT_STYLE",
    "LANGUAGE_STYLES",
    "PYTHON_STYLE_NAMES",
    "DocModel",
    "ParamBlock",
    "ParamDoc",
    "ParamEntry",
    "RaiseDoc",
    "ValueDoc",
    "detect_docstring_style",
    "detect_repo_style",
    "find_params",
    "python_literal",
    "render",
    "signature_parameters",
    "style_for_language",
    "wrap_comment",
]

PYTHON_STYLE_NAMES = tuple(PYTHON_STYLES)
"""``google``, ``numpy``, ``sphinx``, ``pep257``: the values of the ``style`` setting."""

DEFAULT_STYLE = "google"
"""Used when a repository's docstrings show no convention (one-liners only, or none)."""

LANGUAGE_STYLES = {
    "javascript": "jsdoc",
    "typescript": "jsdoc",
    "java": "javadoc",
    "go": "godoc",
    "rust": "rustdoc",
}
"""The doc-comment style of each non-Python language."""


def style_for_language(language: str, python_style: str) -> str:
    """Return the style used for ``language`` (``python_style`` for Python)."""
    return LANGUAGE_STYLES.get(language, python_style)


def detect_docstring_style(text: str) -> str | None:
    """Return the Python style one docstring is written in, or None if it shows none.

    A one-line or prose-only docstring fits every style, so it says nothing.
    """
    scores = {name: style.score(text) for name, style in PYTHON_STYLES.items()}
    best = max(scores.values())
    if best == 0:
        return None
    return next(name for name, score in scores.items() if score == best)


def detect_repo_style(docstrings: Iterable[str | None], default: str = DEFAULT_STYLE) -> str:
    """Return the repository's convention: the majority style of its docstrings.

    Docstrings that show no convention do not vote; ties go to the order of
    :data:`PYTHON_STYLE_NAMES`; with no votes at all ``default`` is returned.
    """
    votes: Counter[str] = Counter()
    for text in docstrings:
        if text:
            style = detect_docstring_style(text)
            if style:
                votes[style] += 1
    if not votes:
        return default
    top = max(votes.values())
    return next(name for name in PYTHON_STYLE_NAMES if votes[name] == top)


def render(doc: DocModel, style: str, language: str = "python") -> str:
    """Render ``doc`` as docstring / doc-comment text in ``style``.

    Raises:
        ValueError: ``style`` is not a known style.
    """
    if style in PYTHON_STYLES:
        return PYTHON_STYLES[style].render(doc)
    if style in COMMENT_STYLES:
        return render_comment_text(doc, style, language)
    raise ValueError(f"unknown docstring style {style!r}")


def find_params(text: str, style: str) -> ParamBlock | None:
    """Return where ``text`` (an existing docstring) documents its parameters, or None."""
    if style in PYTHON_STYLES:
        return PYTHON_STYLES[style].find_params(text.splitlines())
    return _find_comment_params(text, style)


def python_literal(body: str, indent: str, newline: str = "\n", quote: str = '"""') -> str:
    """Return ``body`` as a Python string literal for a docstring at ``indent``.

    The first line follows the opening quotes; later non-empty lines get ``indent``; a
    multi-line docstring closes on its own line. Backslashes make it a raw string (or are
    escaped when the text also holds the quote sequence or ends with a backslash); a quote
    sequence inside the text is escaped, and a trailing quote character is kept apart from
    the closing quotes.

    Args:
        body: Docstring text without quotes or indentation.
        indent: Indentation of the line the literal starts on.
        newline: The file's line ending.
        quote: ``\"\"\"`` or ``'''``.
    """
    prefix = ""
    if "\\" in body:
        if quote in body or body.rstrip().endswith("\\"):
            body = body.replace("\\", "\\\\")
        else:
            prefix = "r"
    body = body.replace(quote, "\\" + quote[0] * 3) if not prefix else body
    if body.endswith(quote[0]):
        body += " " if "\n" not in body else ""
    lines = body.split("\n")
    if len(lines) == 1:
        return f"{prefix}{quote}{lines[0]}{quote}"
    out = [f"{prefix}{quote}{lines[0]}"]
    out += [f"{indent}{line}" if line.strip() else "" for line in lines[1:]]
    out.append(f"{indent}{quote}")
    return newline.join(out)

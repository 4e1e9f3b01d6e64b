"""Whether a sentence written for one symbol can describe another at all.

Rules that need no ranker, because the borrowed sentence is false of the symbol whatever
the ranker thinks of it (:func:`can_describe` applies them all):

- **It names the symbol itself** (:func:`names_the_symbol`): "Extends Event.trigger by
  using locks" describes a subclass's override through ours.
- **It names its own kind.** A sentence that opens with "This module ...", "This class
  ..." or "This function ..." (its subject is the thing it documents) says what kind of
  thing that is. Said of a symbol of another kind it is false: colorama's ``AnsiFore``
  class is not "This module generates ANSI character codes ...", the ``colorama.ansi``
  module's sentence. :func:`speaks_of_another_kind` tells; the faithfulness check refuses
  such a summary whoever wrote it (the model included), and the candidate pool never
  borrows one.
- **A module's docstring** describes a file, not a class or a call, and a module takes
  no sentence of one: the dataset the ranker is fitted on has no modules at all, so it
  never learnt what their docstrings lend (idna's test methods took a test module's
  "Tests for other functions." above the floor, colorama's classes "This module
  generates ..."). :func:`kinds_can_share` keeps them out of each other's retrieval.
  (Classes and callables lend each other sentences scoring 10-13 sentence BLEU-4 over the
  training split, against 23-31 within a kind, but the ranker was fitted on pools that
  hold them, so they stay: leaving them out moved its confidence in the hand audit.)
- **A summary the dataset would not keep** (:func:`summary_ok`: "Expected output: 1a2 aba
  3a4.", a colorama demo's docstring; "Deprecated ...", ">>> ...", two words, a parameter
  list): the model and the ranker learnt from neighbours that all pass it, so retrieval
  lends no other.
- **A test and the code it tests.** ``AnsiToWin32Test`` tests ``AnsiToWin32``; the
  class's sentence ("Implements a 'write()' method which ...") is false of its test case,
  and a test's sentence ("Test that ... raises") is false of the code. :func:`is_test`
  reads the usual names (``test_*``, ``*_test``, ``Test*``, ``*Test``, ``*Tests``,
  ``*TestCase``); :func:`crosses_tests` refuses borrowing across the two.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from indexer.symbols import Symbol

MODULE_WORDS = frozenset({"module", "package", "script", "file", "library"})
CLASS_WORDS = frozenset({"class", "struct", "structure", "enum", "exception", "mixin", "dataclass"})
FUNCTION_WORDS = frozenset(
    {"function", "method", "coroutine", "property", "classmethod", "staticmethod"}
)
"""Words for one kind only. Words several kinds can be ("decorator": a function or a
class; "object", "helper", "wrapper", "handler", "callback") are not read."""

_FITS = {
    "module": MODULE_WORDS,
    "class": CLASS_WORDS,
    "function": FUNCTION_WORDS,
    "method": FUNCTION_WORDS,
}

_SUBJECT = re.compile(r"(?:^|(?<=[.!?;:])\s+)[Tt]his\s+([A-Za-z]+)\b(?![\'\u2019-])(?:\s+(\w+))?")
"""A sentence (or clause after a colon) whose subject is "This <word>" (not "This
module's ...", a possessive about the module, or "This class-level ..."), and the word
after it."""
_COMPOUND = frozenset({"method", "methods", "attribute", "attributes", "level", "variable"})
"""Words after a kind word that make it a modifier: "This class method ...", "This module
level ..."."""
_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__"})
"""Methods whose docstring may describe the class they build ("This class loads ...")."""


def named_kinds(text: str) -> list[str]:
    """The kind words that open a sentence of ``text`` as "This <word>" (lower case)."""
    out = []
    for match in _SUBJECT.finditer(text.strip()):
        word, after = match.group(1).lower(), (match.group(2) or "").lower()
        if word in MODULE_WORDS | CLASS_WORDS | FUNCTION_WORDS and after not in _COMPOUND:
            out.append(word)
    return out


def speaks_of_another_kind(text: str, kind: str, name: str = "") -> str | None:
    """The kind word ``text`` calls its subject by when that word does not fit a symbol
    of ``kind`` (``module``, ``class``, ``function``, ``method``) named ``name``, else
    None: "This module generates ..." for a class, "This class holds ..." for a function
    (a constructor such as ``__init__`` may speak of its class)."""
    fits = _FITS.get(kind)
    if fits is None:
        return None
    if kind == "method" and name in _CONSTRUCTORS:
        fits = fits | CLASS_WORDS
    for word in named_kinds(text):
        if word not in fits:
            return word
    return None


def is_test(name: str) -> bool:
    """Whether ``name`` (a bare function, method or class name) is a test's, by the
    names test runners collect: ``test_x``/``testX``/``x_test``, ``TestX``, ``XTest``,
    ``XTests``, ``XTestCase``. A bare ``test`` is not read: it is as often a library's
    predicate (altair's ``expr.test`` evaluates a regular expression)."""
    if not name:
        return False
    if len(name) > 4 and name.startswith("test") and (name[4] == "_" or name[4].isupper()):
        return True
    if name.endswith("_test"):
        return True
    if len(name) > 4 and name.startswith("Test") and (name[4].isupper() or name[4] == "_"):
        return True
    return name[:1].isupper() and re.search(r"[a-z0-9_]Tests?$|TestCase$", name) is not None


def kinds_can_share(target: str, other: str) -> bool:
    """Whether a symbol of kind ``other`` can lend its sentence to one of kind ``target``:
    a module only to a module, anything else to anything but a module."""
    return (target == "module") == (other == "module")


def crosses_tests(target: str, other: str) -> bool:
    """Whether one of two bare names is a test's and the other's is not: a sentence about
    the one is false of the other."""
    return is_test(target) != is_test(other)


def can_describe(summary: str, other: str, symbol: Symbol) -> bool:
    """Whether ``other``'s ``summary`` can be borrowed for ``symbol`` at all: not when it
    names ``symbol`` itself (:func:`names_the_symbol`), when it calls its subject by another
    kind ("This module ..." for a class: :func:`speaks_of_another_kind`) or when one of the
    two is a test and the other is not (:func:`crosses_tests`)."""
    return not (
        names_the_symbol(summary, symbol)
        or speaks_of_another_kind(summary, symbol.kind, symbol.name)
        or crosses_tests(symbol.name, other.rpartition(".")[2])
    )


def names_the_symbol(summary: str, symbol: Symbol) -> bool:
    """Whether a borrowed summary names ``symbol`` itself by a dotted reference
    (``Event.trigger`` for a method, ``temp.dump`` for module ``temp``'s function): such a
    sentence describes another symbol in terms of ours ("Extends
    transitions.core.Event.trigger by using locks", a subclass's override; "Shortcut to
    :meth:`SChunk.get_chunk`", a wrapper) and is false of ours. Over the dataset's training
    split, neighbour summaries that do score 11.3 sentence BLEU-4 against the symbol's own
    summary (201 pairs), the others 21.7 (docs/audit.md, "Number agreement ...")."""
    owner, _, name = symbol.qualname.rpartition(".")
    if owner:
        scope = owner.rpartition(".")[2]
    else:
        path = PurePosixPath(symbol.path)
        scope = path.parent.name if path.stem == "__init__" else path.stem
    if not scope or not name:
        return False
    pattern = rf"(?<![\w.])(?:\w+\.)*{re.escape(scope)}\.{re.escape(name)}(?!\w)"
    return re.search(pattern, summary) is not None


_AUTOGEN = re.compile(
    r"auto-?generated|generated by|do not (edit|modify)|\btodo\b|\bfixme\b|\bxxx\b|"
    r"deprecated|:param|:return|:rtype|:type |@param|@return|>>>|https?://|www\.|"
    r"copyright|licen[cs]e|\bnoqa\b|pylint|type: ?ignore|^\W|^(see|alias|same as)\b|"
    r"^(args|arguments|parameters|returns?|yields?|raises?|example|note)s?:",
    re.IGNORECASE,
)
_ENGLISH_HINT = re.compile(
    r"\b(the|a|an|of|to|for|in|is|and|or|if|from|with|this|that|by|on|as|be|"
    r"returns?|gets?|sets?|creates?|checks?|converts?|builds?|adds?|removes?|"
    r"computes?|reads?|writes?|loads?|initiali[sz]es?|calls?|handles?|makes?)\b",
    re.IGNORECASE,
)


def summary_ok(summary: str) -> bool:
    """Return True for a summary the dataset keeps as a training target, and so the only
    kind retrieval lends (the model and the ranker never saw a neighbour of another kind).

    Kept: 3 to 40 words, ASCII-dominated English prose (at least one common English
    function word), not autogenerated, not a bare parameter list, URL or license note.
    """
    words = summary.split()
    if not 3 <= len(words) <= 40:
        return False
    if sum(ch.isascii() for ch in summary) < 0.97 * len(summary):
        return False
    if sum(ch.isalpha() for ch in summary) < 0.6 * len(summary.replace(" ", "")):
        return False
    if _AUTOGEN.search(summary):
        return False
    return bool(_ENGLISH_HINT.search(summary))

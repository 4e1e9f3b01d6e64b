"""Defaults stated in prose ("Defaults to X", "default: X", numpy's "optional, default
X", PEP 257's "(default X)") and how they compare with the code's default."""

from __future__ import annotations

import ast
import re

# --- stated defaults --------------------------------------------------------------------

_VALUE = r"(``.+?``|`[^`]+`|\"[^\"]*\"|'[^']*'|[^\s,;()]+(?:\([^)]*\))?)"
_DEFAULT_PHRASES = [  # (pattern, a plain English value still makes it a claim)
    (re.compile(r"\bdefaults?\s+to\s+" + _VALUE, re.IGNORECASE), True),
    (re.compile(r"\bdefault(?:\s+value)?\s*[:=]\s*" + _VALUE, re.IGNORECASE), True),
    # "the default is a callable" speaks of something else; "the default is 5" does not
    (re.compile(r"\bdefault(?:\s+value)?\s+is\s+" + _VALUE, re.IGNORECASE), False),
    (
        re.compile(r"\bby\s+default\s*[,:]?\s+(?:it\s+is\s+)?" + _VALUE + r"(?=\s*[.)]?$)", re.I),
        False,
    ),
]
_CODE_START = re.compile(r"^(?:[-+]?\.?\d|[\[{(\"'`]|(?:True|False|None|\.\.\.)$)")
_PAREN_DEFAULT = re.compile(r"\(\s*default[:=]?\s+", re.IGNORECASE)
TYPE_DEFAULT = re.compile(r"\bdefault\s*[:=]?\s*(.+)$", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(*])")


def _balanced(text: str, start: int) -> tuple[str, int] | None:
    """The text up to the ``)`` closing an already open parenthesis, and its end."""
    depth = 1
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return text[start:i], i + 1
    return None


def stated_defaults(text: str) -> list[tuple[str, int, int]]:
    """Defaults a description states: ``(value text, start, end)`` of each phrase."""
    found: list[tuple[str, int, int]] = []
    for match in _PAREN_DEFAULT.finditer(text):
        inner = _balanced(text, match.end())
        if inner is not None:
            found.append((inner[0], match.start(), inner[1]))
    for pattern, prose_ok in _DEFAULT_PHRASES:
        for match in pattern.finditer(text):
            if any(s <= match.start() < e for _, s, e in found):
                continue
            if prose_ok or not is_prose(match.group(1)):
                found.append((match.group(1), match.start(), match.end()))
    return found


def is_prose(value: str) -> bool:
    """Whether a stated default is English ("autodetection") rather than a value of code
    (``None``, ``"r"``, ``0.5``, ``DEFAULT_RATE``, ``os.sep``): prose cannot be compared."""
    raw = value.strip()
    if _CODE_START.match(raw):
        return False
    text = clean_value(raw)
    if _CODE_START.match(text) or re.search(r"[_.()\[\]]", text.strip(".")):
        return False
    return not re.search(r"[a-z][A-Z]", text)


def _parses(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def clean_value(text: str) -> str:
    """A stated value without its code markup or the sentence's closing punctuation
    (``...`` and ``"Reading..."`` keep their dots: they parse as they are)."""
    value = text.strip()
    if value.startswith("``") and value.endswith("``") and len(value) > 4:
        return value[2:-2].strip()
    if value.startswith("`") and value.endswith("`") and len(value) > 2:
        return value[1:-1].strip()
    while value[-1:] in (".", ",", ";", ":"):
        shorter = value[:-1]
        if not (_parses(shorter) or not _parses(value)):
            break  # "..." is a value; "1." is the sentence's end
        value = shorter
    return value


def same_value(stated: str, code: str) -> bool:
    """Whether a stated default is the code's default (as values, else as syntax)."""
    a, b = clean_value(stated), code.strip()
    try:
        ta, tb = ast.parse(a, mode="eval"), ast.parse(b, mode="eval")
    except SyntaxError:
        return "".join(a.split()) == "".join(b.split())
    try:
        va, vb = ast.literal_eval(ta), ast.literal_eval(tb)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ast.dump(ta) == ast.dump(tb)
    return type(va) is type(vb) and va == vb


def strip_default_claims(text: str) -> str:
    """``text`` without the sentences or parentheticals that state a default."""
    claims = stated_defaults(text)
    if not claims:
        return text
    out = text
    for _, start, end in sorted(claims, key=lambda c: -c[1]):
        if out[start : start + 1] == "(":
            out = out[:start].rstrip() + out[end:]
    kept = [s for s in SENTENCE.split(out) if not stated_defaults(s)]
    return " ".join(" ".join(kept).split())

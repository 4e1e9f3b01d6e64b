"""Whether a documented type and an annotation disagree (for ``DG130``/``DG131``).

Both are read as Python type expressions and normalised before they are compared:
``Optional[X]`` is ``X | None``, ``Union[A, B]`` is ``A | B`` (in any order), ``List``/
``Dict``/``typing.Tuple``/... are ``list``/``dict``/``tuple``, a dotted name counts by its
last part (``np.ndarray`` is ``ndarray``), quotes of forward references go, and the
documented ``, optional`` / ``or None`` is dropped. Only a clear contradiction counts: a
documented type that is not a type expression (``list of str``, ``array_like``), an
``Any``/``object`` on either side, a ``None`` the docstring leaves out, or a generic written
without its arguments (``list`` for ``list[str]``) is never a mismatch; nor is an ``int``
the docstring calls ``float`` (the numeric tower), a concrete type documented for an
abstract one (``dict`` for ``Mapping``, ``list`` for ``Sequence``), or ``type`` for a
metaclass.
"""

from __future__ import annotations

import ast
import re

_ALIASES = {
    "List": "list",
    "Dict": "dict",
    "Tuple": "tuple",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Type": "type",
    "Text": "str",
    "DefaultDict": "defaultdict",
    "Deque": "deque",
    "string": "str",
    "integer": "int",
    "boolean": "bool",
    "callable": "Callable",
}
_LOOSE = {"Any", "object", "TypeVar", "Self"}
_ABSTRACT = {
    "dict": {"Mapping", "MutableMapping", "Iterable", "Collection"},
    "list": {"Sequence", "MutableSequence", "Iterable", "Collection"},
    "tuple": {"Sequence", "Iterable", "Collection"},
    "set": {"AbstractSet", "MutableSet", "Iterable", "Collection"},
    "frozenset": {"AbstractSet", "Iterable", "Collection"},
    "str": {"Sequence", "Iterable"},
    "bytes": {"Sequence", "ByteString"},
}
"""A concrete type documented for an abstract annotation: narrower, not false."""
_TOWER = {("int", "float"), ("int", "complex"), ("float", "complex"), ("bool", "int")}
_OPTIONAL_TAIL = re.compile(r"(?:,\s*|\s+|^)\(?optional\)?\s*$", re.IGNORECASE)
_DEFAULT_TAIL = re.compile(r",?\s*\(?default(?:s)?\b.*$", re.IGNORECASE)


def mismatch(documented: str | None, annotation: str | None) -> bool:
    """Whether ``documented`` clearly contradicts ``annotation`` (both must be types)."""
    if not documented or not annotation:
        return False
    doc = _members(_doc_expression(documented))
    ann = _members(annotation)
    if doc is None or ann is None:
        return False
    doc.discard("None")
    ann.discard("None")
    if not doc or not ann or (doc | ann) & _LOOSE:
        return False
    covered = all(any(_same(d, a) for a in ann) for d in doc)
    covering = all(any(_same(d, a) for d in doc) for a in ann)
    return not (covered and covering)


def _doc_expression(text: str) -> str:
    text = " ".join(text.split()).strip().rstrip(".")
    text = _DEFAULT_TAIL.sub("", text)
    text = _OPTIONAL_TAIL.sub("", text).strip().rstrip(",")
    text = text.replace(":class:", "").replace(":obj:", "").replace(":py:class:", "")
    text = text.replace("`", "").replace("~", "")
    return re.sub(r"\s+or\s+", " | ", text)


def _members(text: str) -> set[str] | None:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    out: set[str] = set()
    if not _flatten(node, out):
        return None
    return out


def _flatten(node: ast.expr, out: set[str]) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flatten(node.left, out) and _flatten(node.right, out)
    if isinstance(node, ast.Subscript) and _name(node.value) in ("Union", "Optional"):
        inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if _name(node.value) == "Optional":
            out.add("None")
        return all(_flatten(e, out) for e in inner)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        inner = _members(node.value)
        if inner is None:
            return False
        out.update(inner)
        return True
    text = _canonical(node)
    if text is None:
        return False
    out.add(text)
    return True


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _canonical(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return "..."
    if isinstance(node, ast.Name | ast.Attribute):
        name = _name(node) or ""
        return _ALIASES.get(name, name)
    if isinstance(node, ast.Subscript):
        base = _canonical(node.value)
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        args = []
        for item in items:
            members = set()
            if not _flatten(item, members):
                return None
            args.append("|".join(sorted(members)))
        return f"{base}[{','.join(args)}]" if base else None
    if isinstance(node, ast.List):  # Callable[[int], str]
        parts = [_canonical(e) for e in node.elts]
        return None if None in parts else "[" + ",".join(parts) + "]"  # type: ignore[arg-type]
    return None


def _same(doc: str, ann: str) -> bool:
    if doc == ann:
        return True
    doc_base, ann_base = doc.split("[", 1)[0], ann.split("[", 1)[0]
    if doc_base in _LOOSE or ann_base in _LOOSE:
        return True
    if doc_base == ann_base and ("[" not in doc or "[" not in ann):
        return True  # ``list`` for ``list[str]``: less precise, not false
    if ann_base in _ABSTRACT.get(doc_base, ()):
        return True
    if doc_base == "type" and (ann_base in ("type", "Type") or ann_base.endswith("Meta")):
        return True
    return (ann, doc) in _TOWER

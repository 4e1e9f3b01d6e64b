"""Baselines: the findings a repository already had, which ``docgen check`` does not fail on.

A finding's key is its path, qualified name, code and message: no line or column, so
edits elsewhere in a file (or moving a function) keep its entry. The same key may appear
several times (two findings of one code on one function); each entry covers one finding.

The file is JSON, one finding per line, sorted, so a diff shows what changed::

    {
      "docgen-baseline": 1,
      "findings": [
        {"code": "DG001", "message": "...", "path": "pkg/a.py", "qualname": "f"}
      ]
    }

It is written atomically (:func:`assistant.safe_output.write_inside`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from assistant.findings_report import FindingLike
from assistant.safe_output import write_inside

FORMAT_KEY = "docgen-baseline"
VERSION = 1
_FIELDS = ("code", "message", "path", "qualname")


class BaselineError(ValueError):
    """A baseline file that is missing, unreadable or not a docgen baseline."""


def key(finding: FindingLike) -> tuple[str, str, str, str]:
    """A finding's baseline key: ``(code, message, path, qualname)``."""
    return (finding.code, finding.message, finding.path, finding.qualname)


def render(findings: Iterable[FindingLike]) -> str:
    """The text of a baseline holding ``findings``."""
    entries = sorted(key(finding) for finding in findings)
    lines = [
        json.dumps(dict(zip(_FIELDS, entry, strict=True)), ensure_ascii=False) for entry in entries
    ]
    body = ",\n".join(f"    {line}" for line in lines)
    return (
        "{\n"
        f'  "{FORMAT_KEY}": {VERSION},\n'
        '  "findings": [' + (f"\n{body}\n  " if lines else "") + "]\n"
        "}\n"
    )


def write(root: Path, path: Path, findings: Iterable[FindingLike]) -> int:
    """Write the baseline of ``findings`` to ``path`` (inside ``root``); return the count.

    Raises:
        assistant.safe_output.OutsideRoot: ``path`` leads out of ``root``.
        OSError: The file could not be written (the old one is left as it was).
    """
    findings = list(findings)
    write_inside(root, path, render(findings).encode("utf-8"))
    return len(findings)


def read(path: Path) -> Counter[tuple[str, str, str, str]]:
    """The keys a baseline file holds, each with how many findings it covers.

    Raises:
        BaselineError: The file does not exist, cannot be read, or is not a baseline.
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(
            f"baseline {path} does not exist; write one with --write-baseline"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} cannot be read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"baseline {path} is not valid JSON (line {exc.lineno}); "
            "write it again with --write-baseline"
        ) from exc
    if not isinstance(data, dict) or data.get(FORMAT_KEY) != VERSION:
        raise BaselineError(
            f"baseline {path} is not a docgen baseline (version {VERSION}); "
            "write it again with --write-baseline"
        )
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"baseline {path} has no list of findings")
    keys: Counter[tuple[str, str, str, str]] = Counter()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(name), str) for name in _FIELDS
        ):
            raise BaselineError(
                f"baseline {path}: finding {number} needs the strings {', '.join(_FIELDS)}"
            )
        keys[tuple(entry[name] for name in _FIELDS)] += 1
    return keys

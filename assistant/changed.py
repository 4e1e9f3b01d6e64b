"""``--changed-since REF``: which definitions changed since a git ref.

The changes are read from ``git diff --unified=0`` against the point where ``HEAD`` left
``REF`` (``git merge-base REF HEAD``; ``REF`` itself when they share no history), so
commits that landed on ``REF`` since do not count as yours; uncommitted edits count, and
files git does not track yet (not ignored) count whole. Only git itself runs, with external
diff drivers, text conversion and the file-system monitor hook turned off, so nothing from
the repository is executed (a diff runs no git hooks).

A definition changed when a changed line lies inside it (a method's change is also its
class's); the module itself only when a line outside every definition changed. A
finding is in scope when the definition it names changed.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from assistant.findings_report import FindingLike
from indexer.parser import SkipFile, parse_file
from indexer.symbols import Symbol

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT_S = 120
_SAFE = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.quotePath=false",
    "--no-pager",
)


class GitProblem(Exception):
    """git is missing, the folder is not in a work tree, or the ref is unknown."""


@dataclass
class FileChange:
    """The changed lines of one file (1-based, in its current version)."""

    lines: set[int] = field(default_factory=set)
    deletions: set[int] = field(default_factory=set)
    """Lines after which lines were removed (0: at the top)."""
    whole: bool = False
    """New to git: every line counts as changed."""


def _git(root: Path, *args: str) -> bytes:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        done = subprocess.run(
            ["git", *_SAFE, *args],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitProblem("--changed-since needs git, which is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitProblem(f"git {args[0]} took over {_GIT_TIMEOUT_S} s; giving up") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitProblem(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def changed_files(root: Path, ref: str) -> dict[str, FileChange]:
    """Files under ``root`` changed since ``ref``, relative to ``root``, with their lines.

    Raises:
        GitProblem: No git, not a git work tree, or ``ref`` names no commit.
    """
    if not ref or ref.startswith("-"):
        raise GitProblem(f"--changed-since {ref!r}: not a git ref")
    try:
        _git(root, "rev-parse", "--is-inside-work-tree")
    except GitProblem as exc:
        raise GitProblem(f"--changed-since needs a git work tree; {root} is not in one") from exc
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitProblem as exc:
        raise GitProblem(f"--changed-since {ref}: no such commit, branch or tag") from exc
    base = commit.decode().strip()
    try:
        base = _git(root, "merge-base", base, "HEAD").decode().strip() or base
    except GitProblem:
        pass  # no HEAD yet, or no common history: compare with the ref itself
    diff = _git(
        root,
        "diff",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--unified=0",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        "--",
    )
    changes = parse_diff(diff)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    for name in untracked.decode("utf-8", "surrogateescape").split("\0"):
        if name:
            changes[name] = FileChange(whole=True)
    return changes


def parse_diff(diff: bytes) -> dict[str, FileChange]:
    """The new-side changed lines of a ``git diff --unified=0`` patch, by file."""
    changes: dict[str, FileChange] = {}
    current: FileChange | None = None
    for raw in diff.split(b"\n"):
        if raw.startswith(b"+++ "):
            name = _path(raw[4:])
            current = None if name is None else changes.setdefault(name, FileChange())
            continue
        match = _HUNK.match(raw)
        if match is None or current is None:
            continue
        start = int(match.group(1))
        count = 1 if match.group(2) is None else int(match.group(2))
        if count == 0:
            current.deletions.add(start)
        else:
            current.lines.update(range(start, start + count))
    return changes


def _path(field_bytes: bytes) -> str | None:
    text = field_bytes.rstrip(b"\r")
    if text.startswith(b'"'):
        text = _unquote(text[1:-1])
    if not text.startswith(b"b/"):
        return None  # /dev/null: the file was deleted
    return text[2:].decode("utf-8", "surrogateescape")


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13}


def _unquote(text: bytes) -> bytes:
    """Undo git's C-style quoting of a path."""
    out = bytearray()
    index = 0
    while index < len(text):
        char = text[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        nxt = text[index + 1 : index + 2]
        if nxt.isdigit():
            out.append(int(text[index + 1 : index + 4], 8))
            index += 4
        else:
            out.append(_ESCAPES.get(nxt, ord(nxt or b"\\")))
            index += 2
    return bytes(out)


class ChangedScope:
    """Which findings lie in definitions changed since a ref (files parsed on demand)."""

    def __init__(self, root: Path, ref: str, changes: dict[str, FileChange]) -> None:
        self.root = root
        self.ref = ref
        self.changes = changes
        self._symbols: dict[str, list[Symbol]] = {}

    @classmethod
    def since(cls, root: Path, ref: str) -> ChangedScope:
        """The changes since ``ref`` of the work tree holding ``root``.

        Raises:
            GitProblem: See :func:`changed_files`.
        """
        return cls(root, ref, changed_files(root, ref))

    def covers(self, finding: FindingLike) -> bool:
        """Whether the definition ``finding`` names changed."""
        change = self.changes.get(finding.path)
        if change is None:
            return False
        if change.whole:
            return True
        symbols = self._parsed(finding.path)
        named = [s for s in symbols if s.qualname == finding.qualname]
        inside = [s for s in named if _lines(s)[0] <= finding.line <= _lines(s)[1]]
        for symbol in inside or named:
            if symbol.kind == "module":
                others = [_lines(s) for s in symbols if s.kind != "module"]
                if any(not _within(line, others) for line in change.lines):
                    return True
            elif _touches(change, *_lines(symbol)):
                return True
        return not symbols and bool(change.lines or change.deletions)

    def _parsed(self, rel: str) -> list[Symbol]:
        if rel not in self._symbols:
            try:
                parsed = parse_file(self.root / rel, self.root, outline=True)
                self._symbols[rel] = parsed.symbols
            except SkipFile:
                self._symbols[rel] = []
        return self._symbols[rel]


def _lines(symbol: Symbol) -> tuple[int, int]:
    return symbol.span.start_line + 1, symbol.span.end_line + 1


def _within(line: int, spans: list[tuple[int, int]]) -> bool:
    return any(first <= line <= last for first, last in spans)


def _touches(change: FileChange, first: int, last: int) -> bool:
    if any(first <= line <= last for line in change.lines):
        return True
    return any(first <= after < last for after in change.deletions)

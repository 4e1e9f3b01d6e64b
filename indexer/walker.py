"""Walking a repository: which files docgen reads, and why it skips the others.

Honours ``.gitignore`` files (root and nested, via pathspec) and configurable
gitignore-style excludes; skips vendored folders, oversized files and files outside the
repository; follows a symlink only when its target lies inside the repository, and never
visits a folder twice (symlink loops are safe). Explicitly named files go through the same
excludes, so ``pre-commit`` passing file names cannot bypass ``[tool.docgen] exclude``.

Every path is checked after resolving it: a file or folder whose real location is outside
the root (a symlink, ``..``) is skipped as :data:`OUTSIDE`, never read. A name that is not
valid UTF-8 (it could not be stored, hashed or printed) is skipped as :data:`UNDECODABLE`;
skipped names are reported escaped (``caf\\udce9.py``), see :func:`shown`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import pathspec

from indexer.languages import language_for_path
from indexer.parser import DEFAULT_MAX_FILE_BYTES

SILENT_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".docgen",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
"""Folder names never descended into and not worth counting (tool state)."""

VENDORED_DIRS: frozenset[str] = frozenset(
    {
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "site-packages",
        "build",
        "dist",
        "target",
        ".eggs",
    }
)
"""Folder names never descended into (counted as ``vendored``)."""

OUTSIDE = "outside the repository"
"""Skip reason of a path whose real location (symlinks and ``..`` resolved) is outside."""
UNDECODABLE = "undecodable name"
"""Skip reason of a file or folder name that is not valid UTF-8."""


def shown(rel: str) -> str:
    """``rel`` as it can be printed and stored: undecodable bytes escaped (``\\udce9``)."""
    return rel.encode("utf-8", "backslashreplace").decode("utf-8")


def decodable(rel: str) -> bool:
    """Whether ``rel`` (from ``os.fsdecode``) is valid UTF-8, with no escaped bytes."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def inside(path: Path, root: Path) -> Path | None:
    """The real location of ``path`` if it lies inside ``root``, else ``None``: the check
    before any read or write of a repository file (symlinks and ``..`` resolved; a path
    that does not exist yet is placed where it would be, a symlink loop is ``None``)."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return resolved if _inside(resolved, root.resolve()) else None


@dataclass
class WalkOptions:
    """What the walker reads.

    Attributes:
        exclude: Gitignore-style patterns relative to the root.
        max_file_bytes: Files larger than this are skipped as ``too large``.
        respect_gitignore: Honour ``.gitignore`` files.
        languages: Restrict to these language names (``None``: all supported).
    """

    exclude: list[str] = field(default_factory=list)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    respect_gitignore: bool = True
    languages: list[str] | None = None


@dataclass
class WalkResult:
    """Files to read, relative posix path -> absolute path, plus counted skips."""

    files: dict[str, Path] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_paths: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, rel: str, reason: str) -> None:
        """Count a skipped path under ``reason`` (named as :func:`shown` prints it)."""
        self.skipped[reason] += 1
        self.skipped_paths.append((shown(rel), reason))


class _Ignorer:
    """Gitignore files found so far plus the configured excludes."""

    def __init__(self, root: Path, options: WalkOptions) -> None:
        self.root = root
        self.options = options
        self.exclude = pathspec.GitIgnoreSpec.from_lines(options.exclude)
        self.gitignores: dict[str, pathspec.GitIgnoreSpec | None] = {}

    def _gitignore(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self.gitignores:
            spec = None
            path = inside(self.root / folder / ".gitignore", self.root)
            try:  # never a link out of the repository, never a FIFO that blocks
                if path is not None and S_ISREG(path.stat().st_mode):
                    lines = path.read_text("utf-8", errors="replace").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                pass
            self.gitignores[folder] = spec
        return self.gitignores[folder]

    def reason(self, rel: str, is_dir: bool) -> str | None:
        """Return why ``rel`` is ignored, or ``None``."""
        name = rel.rsplit("/", 1)[-1]
        if is_dir and name in VENDORED_DIRS:
            return "vendored"
        probe = rel + "/" if is_dir else rel
        if self.exclude.match_file(probe):
            return "excluded"
        if self.options.respect_gitignore:
            parts = rel.split("/")
            for depth in range(len(parts)):
                folder = "/".join(parts[:depth])
                spec = self._gitignore(folder)
                sub = "/".join(parts[depth:]) + ("/" if is_dir else "")
                if spec is not None and spec.match_file(sub):
                    return "gitignored"
        return None

    def wanted_language(self, rel: str) -> bool:
        language = language_for_path(rel)
        if language is None:
            return False
        return self.options.languages is None or language in self.options.languages


def walk(root: Path, options: WalkOptions | None = None) -> WalkResult:
    """Return every source file under ``root`` that docgen should read."""
    return select([root], root, options)


def select(paths: Iterable[Path], root: Path, options: WalkOptions | None = None) -> WalkResult:
    """Expand ``paths`` (files or folders) into the source files to read.

    Named files are filtered by the same excludes, ``.gitignore`` rules and limits as walked
    ones; a named path whose real location is outside ``root`` is skipped as
    :data:`OUTSIDE`, one whose name is not UTF-8 as :data:`UNDECODABLE`.
    """
    options = options or WalkOptions()
    root = root.resolve()
    ignorer = _Ignorer(root, options)
    result = WalkResult()
    visited: set[tuple[int, int]] = set()
    for given in paths:
        path = Path(given)
        absolute = path if path.is_absolute() else Path.cwd() / path
        rel = _relative(absolute, root)
        if rel is None:
            result.skip(_given_name(absolute, root, given), OUTSIDE)
            continue
        if not decodable(rel):
            result.skip(rel, UNDECODABLE)
            continue
        if absolute.is_dir():
            if rel and (reason := _dir_reason(ignorer, rel)):
                result.skip(rel, reason)
                continue
            for rel_file, file_path in _walk_dir(absolute, rel, root, ignorer, result, visited):
                _consider(rel_file, file_path, ignorer, result)
        elif not absolute.exists() and not absolute.is_symlink():
            result.skip(rel, "missing")
        elif ignorer.wanted_language(rel):
            if reason := _dir_reason(ignorer, rel.rsplit("/", 1)[0] if "/" in rel else ""):
                result.skip(rel, reason)
            else:
                _consider(rel, absolute, ignorer, result)
    return result


def _dir_reason(ignorer: _Ignorer, rel: str) -> str | None:
    if not rel:
        return None
    parts = rel.split("/")
    for depth in range(1, len(parts) + 1):
        if reason := ignorer.reason("/".join(parts[:depth]), is_dir=True):
            return reason
    return None


def _relative(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` (``/``-separated), or None if it really is outside."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # symlink loop
        return None
    try:
        if ".." in path.parts:  # named by where it really is, not by the detour
            raise ValueError
        rel = path.absolute().relative_to(root)
    except ValueError:
        try:
            rel = resolved.relative_to(root)
        except ValueError:
            return None
    if not _inside(resolved, root):
        return None
    text = rel.as_posix()
    return "" if text == "." else text


def _given_name(path: Path, root: Path, given: object) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return str(given)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _consider(rel: str, path: Path, ignorer: _Ignorer, result: WalkResult) -> None:
    if reason := ignorer.reason(rel, is_dir=False):
        result.skip(rel, reason)
        return
    if not decodable(rel):
        result.skip(rel, UNDECODABLE)
        return
    try:
        resolved = path.resolve(strict=True)
        stat = resolved.stat()
    except (OSError, RuntimeError):
        result.skip(rel, "unreadable")
        return
    if not _inside(resolved, ignorer.root):
        result.skip(rel, OUTSIDE)
    elif not S_ISREG(stat.st_mode):  # a FIFO or device would block or never end
        result.skip(rel, "not a regular file")
    elif stat.st_size > ignorer.options.max_file_bytes:
        result.skip(rel, "too large")
    else:
        result.files[rel] = path


def _walk_dir(
    folder: Path,
    rel: str,
    root: Path,
    ignorer: _Ignorer,
    result: WalkResult,
    visited: set[tuple[int, int]],
) -> Iterator[tuple[str, Path]]:
    stack = [(folder, rel)]
    while stack:
        current, current_rel = stack.pop()
        try:
            stat = current.stat()
            key = (stat.st_dev, stat.st_ino)
            if key in visited:
                continue
            visited.add(key)
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            result.skip(current_rel or ".", "unreadable")
            continue
        subdirs = []
        for entry in entries:
            entry_rel = f"{current_rel}/{entry.name}" if current_rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if is_dir:
                if entry.name in SILENT_DIRS:
                    continue
                if reason := ignorer.reason(entry_rel, is_dir=True):
                    result.skip(entry_rel, reason)
                elif not decodable(entry.name):
                    result.skip(entry_rel, UNDECODABLE)
                elif is_link and not _link_inside(Path(entry.path), root):
                    result.skip(entry_rel, OUTSIDE)
                else:
                    subdirs.append((Path(entry.path), entry_rel))
            elif ignorer.wanted_language(entry.name):
                yield entry_rel, Path(entry.path)
        stack.extend(reversed(subdirs))


def _link_inside(path: Path, root: Path) -> bool:
    try:
        return _inside(path.resolve(strict=True), root)
    except (OSError, RuntimeError):
        return False

"""Which repository the command line's paths belong to, decided without following links.

The root is found from the paths *as given* (made absolute with :func:`os.path.abspath`,
which follows no symlink): the nearest folder at or above the first path that holds one of
the root markers. A symlink inside a repository is never entered to look for markers, so a
link that points at another project cannot make that project the root. A path whose real
location (after resolving links and ``..``) lies outside the root is refused with
:func:`outside_message`; the walker and the bulk run check every read and write against the
root again after resolving.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

ROOT_MARKERS = (".docgen", "pyproject.toml", ".git")


def absolute(path: Path | str) -> Path:
    """``path`` made absolute against the working directory, symlinks left as they are."""
    return Path(os.path.abspath(path))


def find_root(start: Path | str, markers: Iterable[str] = ROOT_MARKERS) -> Path | None:
    """The folder at or above ``start`` (a file or folder, as given) holding a marker.

    The chain of folders from ``/`` down to ``start`` is read top-down; once a marker folder
    is found, the search does not descend through a symlink below it (a link inside a
    repository leads somewhere else). A link above every marker (a linked home folder) is
    part of the way to the repository and is followed. The deepest marker folder reached
    wins, so nested projects keep their own root.

    Returns:
        The marker folder, or ``None`` when there is none.
    """
    markers = tuple(markers)
    given = absolute(start)
    folder = given if given.is_dir() else given.parent
    found: Path | None = None
    for candidate in (*reversed(folder.parents), folder):
        if found is not None and candidate.is_symlink():
            break
        if any(os.path.lexists(candidate / marker) for marker in markers):
            found = candidate
    return found


def root_for(paths: Iterable[Path | str]) -> Path:
    """The repository root of ``paths`` (the first one decides; default: the working
    directory): :func:`find_root`, else the first path's folder."""
    first = next(iter(paths), None)
    start = absolute(first if first is not None else Path.cwd())
    found = find_root(start)
    if found is not None:
        return found
    return start if start.is_dir() else start.parent


def is_outside(path: Path | str, root: Path) -> bool:
    """Whether ``path`` really lies outside ``root`` once links and ``..`` are resolved."""
    try:
        real = Path(path).resolve()
        real_root = root.resolve()
    except (OSError, RuntimeError):  # a symlink loop leads nowhere inside
        return True
    return real != real_root and real_root not in real.parents


def outside_message(path: Path | str) -> str:
    """The one line that names a refused path."""
    return f"skipped {path}: points outside the repository"


def split_inside(paths: Iterable[Path], root: Path) -> tuple[list[Path], list[Path]]:
    """``paths`` split into those inside ``root`` and those pointing outside it."""
    inside, outside = [], []
    for path in paths:
        (outside if is_outside(path, root) else inside).append(path)
    return inside, outside

"""The ``.docgen`` folder itself: nothing in it may lead a read or a write elsewhere.

A repository can ship a planted ``.docgen``: the folder as a symbolic link to another
folder, a dangling ``.gitignore`` link, ``index.sqlite`` linked to someone else's database.
:func:`planted_links` finds those, :func:`remove_link` removes the link itself (never its
target), and :func:`write_gitignore` never writes through a link. See
:meth:`indexer.store.IndexStore.open`.
"""

from __future__ import annotations

import os
from pathlib import Path


def planted_links(folder: Path, db_name: str) -> list[tuple[Path, str]]:
    """What in ``folder`` (the ``.docgen`` folder) would lead reads or writes elsewhere: the
    folder as a link or a non-folder, links inside it, hard-linked database files."""
    name = folder.name
    db_files = (db_name, f"{db_name}-wal", f"{db_name}-shm", f"{db_name}-journal")
    if folder.is_symlink():
        return [(folder, f"{name} was a symbolic link")]
    if folder.exists() and not folder.is_dir():
        return [(folder, f"{name} was not a folder")]
    if not folder.is_dir():
        return []
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return []
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            found.append((path, f"{name}/{entry.name} was a symbolic link"))
        elif (
            entry.name in db_files
            and entry.is_file(follow_symlinks=False)
            and entry.stat(follow_symlinks=False).st_nlink > 1
        ):
            found.append((path, f"{name}/{entry.name} was a hard link to another file"))
    if any(path.name == db_name for path, _ in found):  # its journals belong to the other file
        found += [
            (folder / other, f"{name}/{other} belonged to the linked database")
            for other in db_files[1:]
            if (folder / other).exists() and not any(p.name == other for p, _ in found)
        ]
    return found


def remove_link(path: Path) -> None:
    """Remove the link (or stray file) itself, never what it points to."""
    try:
        path.unlink()
    except IsADirectoryError:  # pragma: no cover - only links and files are listed
        pass
    except FileNotFoundError:
        pass


_GITIGNORE = "# docgen index: safe to delete, rebuilt by `docgen index`\n*\n"


def write_gitignore(folder: Path) -> None:
    """Write ``.gitignore`` unless it exists; never through a link (O_NOFOLLOW, O_EXCL)."""
    marker = folder / ".gitignore"
    if marker.exists() or marker.is_symlink():
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(marker, flags, 0o644)
    except OSError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_GITIGNORE)

"""Write a report file (a baseline, a badge) inside the repository, atomically.

The target, and every folder on the way to it, must really lie inside the root once
symlinks and ``..`` are resolved: a link in the repository that points elsewhere is never
written through. The data goes to a temporary file beside the target first, then replaces
it in one step, so a reader never sees half a file and a failed write leaves the old one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class OutsideRoot(ValueError):
    """The target leads out of the repository root."""


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` really lies inside ``root`` (links and ``..`` resolved)."""
    try:
        real = Path(os.path.realpath(path))
        real_root = Path(os.path.realpath(root))
    except (OSError, RuntimeError):
        return False
    return real == real_root or real_root in real.parents


def write_inside(root: Path, path: Path, data: bytes) -> Path:
    """Replace ``path`` (relative to the working directory, or absolute) with ``data``.

    Missing parent folders are created. Returns the path written.

    Raises:
        OutsideRoot: ``path`` or a folder on the way leads out of ``root``.
        OSError: The write failed; an existing file is left as it was.
    """
    target = Path(os.path.abspath(path))
    if not inside(root, target) or target.is_dir():
        raise OutsideRoot(f"{path}: not a file inside the repository {root}; not written")
    if target.is_symlink():  # replacing the link would leave its target stale: write there
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    if not inside(root, target.parent):  # a link raced in while folders were made
        raise OutsideRoot(f"{path}: leads out of the repository {root}; not written")
    replace_file(target, data, 0o644)
    return target


def replace_file(
    target: Path,
    data: bytes,
    mode: int,
    before_replace: Callable[[], None] | None = None,
    suffix: str = ".tmp",
) -> None:
    """Replace ``target`` with ``data`` in one step: a temporary file beside it is written,
    flushed to disk and given ``mode``, then renamed over it, so a reader (or a killed
    process) sees the old file or the new one, never half of one. ``before_replace`` runs
    just before the rename and may raise to keep the old file (a last check that it did
    not change meanwhile). On any failure the temporary file is removed.
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise

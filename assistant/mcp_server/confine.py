"""Keep every path an MCP client names inside the repository root.

A client (a coding agent) sends repository-relative paths. They are refused, before any
read, when they are absolute (even one that points inside the root: the agent should not
learn or guess where the repository lives), when a component is ``..``, when they hold a
NUL byte or a backslash, or when their real location (symlinks resolved) lies outside the
root. The server turns :class:`OutsideRoot` into an MCP protocol error.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from indexer.walker import inside

__all__ = ["OutsideRoot", "confine", "confine_glob"]


class OutsideRoot(ValueError):
    """The path leads out of the repository root (nothing was read)."""


def _parts(value: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, str) or not value.strip():
        raise OutsideRoot(f"{what} must be a repository-relative path, got {value!r}")
    if "\0" in value or "\\" in value:
        raise OutsideRoot(f"{what} {value!r}: NUL bytes and backslashes are not accepted")
    posix = PurePosixPath(value)
    if posix.is_absolute() or (len(value) > 1 and value[1] == ":"):
        raise OutsideRoot(
            f"{what} {value!r} is absolute: give a path relative to the repository root"
        )
    if ".." in posix.parts:
        raise OutsideRoot(f"{what} {value!r} leads out of the repository root ('..')")
    return tuple(part for part in posix.parts if part != ".")


def confine(root: Path, value: str, what: str = "path") -> tuple[str, Path]:
    """Return ``(rel, real)`` for a client's path: the repository-relative POSIX path and
    the real location inside ``root``.

    Raises:
        OutsideRoot: The path is absolute, has a ``..`` component, or its real location
            (symlinks resolved) is outside ``root``.
    """
    parts = _parts(value, what)
    candidate = root.joinpath(*parts)
    real = inside(candidate, root)
    if real is None:
        raise OutsideRoot(f"{what} {value!r} points outside the repository root")
    return "/".join(parts) or ".", real


def confine_glob(value: str) -> str:
    """Return a client's glob pattern when it stays inside the root (relative, no ``..``).

    Raises:
        OutsideRoot: The pattern is absolute or has a ``..`` component.
    """
    return "/".join(_parts(value, "path_glob"))

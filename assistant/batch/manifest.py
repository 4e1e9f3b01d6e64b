"""The manifest of ``docgen batch``: which repositories a batch documents.

A manifest is a text file, one repository a line (shell-like quoting, so a path may hold
spaces; ``#`` starts a comment; blank lines are ignored)::

    # PATH-OR-URL        [NAME]
    services/billing
    /shared/clones/web   web-frontend
    https://github.com/acme/api.git

- A path is a repository's folder, relative to the manifest's own folder or absolute.
- A git URL (``https://``, ``ssh://``, ``git://``, ``file://`` or ``user@host:path``)
  names a repository already cloned on shared storage: it is looked up as
  ``CLONES/<last part of the URL without .git>``, where CLONES is ``docgen batch
  --clones DIR`` (default: the manifest's folder). docgen never clones or fetches.
- NAME names the repository's output folder under ``--out`` and its row of the summary
  (default: the folder's name). Names are unique, and only letters, digits, ``.``, ``_``
  and ``-``.

Every problem is a :class:`ManifestError` naming the file and line, so the whole manifest
is checked before any work starts.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\Z")
URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


class ManifestError(ValueError):
    """The manifest cannot be read or names a repository wrongly (one line per problem)."""


@dataclass(frozen=True)
class Repository:
    """One repository of a batch.

    Attributes:
        name: Its output folder's name and its row in the summary.
        path: Its folder (absolute, resolved).
        url: The git URL the manifest named, or "" for a path.
        line: The manifest line it came from (1-based).
    """

    name: str
    path: Path
    url: str = ""
    line: int = 0


def read_manifest(manifest: Path, clones: Path | None = None) -> list[Repository]:
    """Read and validate ``manifest``; return its repositories in manifest order.

    Raises:
        ManifestError: The file cannot be read, is empty, or a line is malformed, names a
            folder that does not exist (or a URL not cloned under ``clones``), or repeats
            a name or a folder. The message lists every problem found.
    """
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{manifest}: no such manifest") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{manifest}: cannot read the manifest ({exc})") from None
    base = manifest.resolve().parent
    clones = (clones or base).resolve()
    repositories: list[Repository] = []
    problems: list[str] = []
    names: dict[str, int] = {}
    folders: dict[Path, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{manifest}:{number}"
        try:
            words = shlex.split(raw, comments=True)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if not words:
            continue
        if len(words) > 2:
            problems.append(
                f"{where}: expected `PATH-OR-URL [NAME]`, got {len(words)} words "
                "(quote a path that holds spaces)"
            )
            continue
        try:
            repository = _repository(words, number, base, clones)
        except ManifestError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if repository.name in names:
            problems.append(
                f"{where}: the name {repository.name!r} is already used on line "
                f"{names[repository.name]}; add a NAME after the path"
            )
            continue
        if repository.path in folders:
            problems.append(
                f"{where}: {repository.path} is already listed on line {folders[repository.path]}"
            )
            continue
        names[repository.name] = number
        folders[repository.path] = number
        repositories.append(repository)
    if problems:
        raise ManifestError("\n".join(problems))
    if not repositories:
        raise ManifestError(f"{manifest}: lists no repository (one PATH or URL a line)")
    return repositories


def _repository(words: list[str], number: int, base: Path, clones: Path) -> Repository:
    target = words[0]
    url = ""
    if URL.match(target):
        url = target
        stem = re.sub(r"\.git$", "", target.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
        if not stem or not NAME.match(stem):
            raise ManifestError(f"cannot tell the repository's folder from the URL {url}")
        path = clones / stem
        if not path.is_dir():
            raise ManifestError(
                f"{url} is not cloned at {path}: clone it there first (docgen never fetches), "
                "or pass --clones DIR"
            )
    else:
        path = Path(target).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.exists():
            raise ManifestError(f"{path} does not exist")
        if not path.is_dir():
            raise ManifestError(f"{path} is not a folder (a repository is a folder)")
    path = path.resolve()
    name = words[1] if len(words) == 2 else path.name
    if not NAME.match(name):
        raise ManifestError(
            f"the name {name!r} may hold only letters, digits, '.', '_' and '-' "
            "(it names the output folder)"
        )
    return Repository(name, path, url, number)

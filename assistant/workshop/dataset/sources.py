"""Find the corpus: standard-library modules and wheels or sdists in local folders.

Archives are read as zip or tar files; nothing is installed, imported or executed.
One source is one package for the split: a distribution (latest version found) or one
top-level module or package of the standard library.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from assistant.workshop.dataset.licenses import decide_license

MAX_FILE_BYTES = 400_000
"""Python files larger than this are skipped (generated tables, vendored bundles)."""

_SKIP_DIRS = {
    "test",
    "tests",
    "testing",
    "_vendor",
    "vendor",
    "vendored",
    "_vendored",
    "third_party",
    "examples",
    "example",
    "docs",
    "doc",
    "benchmarks",
    "site-packages",
    "__pycache__",
    "idle_test",
    "turtledemo",
    "migrations",
}
_SKIP_FILE = re.compile(
    r"(^test_.*|.*_test|conftest|setup|.*_pb2(_grpc)?|.*_pb2_grpc|_version|version)\.py$"
)
_STDLIB_SKIP = {"test", "idlelib", "lib2to3", "ensurepip", "site-packages", "pydoc_data"}


@dataclass(slots=True)
class Source:
    """One package of the corpus.

    Attributes:
        name: Package id: the canonical distribution name, or ``stdlib-<module>``.
        version: Version (the Python version for the standard library).
        license: Declared license, shortened.
        permissive: Whether the license allows use for training.
        kind: ``stdlib``, ``wheel`` or ``sdist``.
        origin: Path of the archive, or of the module file/folder.
    """

    name: str
    version: str
    license: str
    permissive: bool
    kind: str
    origin: str

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return asdict(self)


def stable_hash(text: str) -> int:
    """Return a process-independent 64-bit hash (for splits and sampling)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def wanted_python_path(path: str) -> bool:
    """Return True for a ``.py`` file that is library code (not tests, vendored or generated)."""
    posix = PurePosixPath(path)
    if posix.suffix != ".py" or _SKIP_FILE.match(posix.name):
        return False
    parts = posix.parts[:-1]
    if any(p.endswith((".dist-info", ".egg-info")) or p.lower() in _SKIP_DIRS for p in parts):
        return False
    return True


def stdlib_sources(root: Path, version: str) -> list[Source]:
    """List the standard library's top-level modules and packages as sources."""
    sources = []
    for entry in sorted(root.iterdir()):
        name = entry.stem if entry.suffix == ".py" else entry.name
        if name.startswith(("_", ".")) or name in _STDLIB_SKIP or "-" in name:
            continue
        if entry.is_dir() and not (entry / "__init__.py").exists():
            continue
        if entry.is_file() and entry.suffix != ".py":
            continue
        sources.append(Source(f"stdlib-{name}", version, "PSF-2.0", True, "stdlib", str(entry)))
    return sources


def _archive_key(path: Path) -> tuple[str, Version, str] | None:
    try:
        if path.name.endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(path.name)
            return canonicalize_name(name), version, "wheel"
        if path.name.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(path.name)
            return canonicalize_name(name), version, "sdist"
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        return None
    return None


def archive_sources(folders: list[Path]) -> list[Source]:
    """List the latest wheel (preferred) or sdist of each distribution in ``folders``.

    Args:
        folders: Folders searched recursively for ``*.whl``, ``*.tar.gz`` and ``*.zip``.

    Returns:
        One source per distribution, license decided from the archive's metadata.
    """
    best: dict[str, tuple[Version, int, Path, str]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            key = _archive_key(path) if path.is_file() else None
            if key is None:
                continue
            name, version, kind = key
            rank = (version, 1 if kind == "wheel" else 0)
            if name not in best or rank > best[name][:2]:
                best[name] = (version, rank[1], path, kind)
    sources = []
    for name, (version, _rank, path, kind) in sorted(best.items()):
        decision = decide_license(read_metadata(path))
        sources.append(
            Source(name, str(version), decision.license, decision.permissive, kind, str(path))
        )
    return sources


def read_metadata(path: Path) -> str | None:
    """Return the METADATA (wheel) or PKG-INFO (sdist) text of an archive, or None."""
    try:
        if path.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(path) as zf:
                names = [
                    n
                    for n in zf.namelist()
                    if n.endswith(".dist-info/METADATA")
                    or n.count("/") == 1
                    and n.endswith("/PKG-INFO")
                ]
                return zf.read(names[0]).decode("utf-8", "replace") if names else None
        with tarfile.open(path) as tf:
            for member in tf.getmembers():
                if (
                    member.isfile()
                    and member.name.count("/") == 1
                    and member.name.endswith("PKG-INFO")
                ):
                    handle = tf.extractfile(member)
                    return handle.read().decode("utf-8", "replace") if handle else None
    except (OSError, zipfile.BadZipFile, tarfile.TarError, KeyError):
        return None
    return None


def iter_python_files(source: Source, max_files: int) -> Iterator[tuple[str, bytes]]:
    """Yield ``(path, bytes)`` of the library ``.py`` files of a source (sorted, capped).

    Paths are relative to the package root (the stdlib folder, the wheel root, or the
    sdist's top folder). Files are read from archives directly; nothing is extracted.
    """
    origin = Path(source.origin)
    if source.kind == "stdlib":
        base = origin.parent
        files = [origin] if origin.is_file() else sorted(origin.rglob("*.py"))
        paths = [(f.relative_to(base).as_posix(), f) for f in files]
        paths = [(rel, f) for rel, f in paths if wanted_python_path(rel)][:max_files]
        for rel, file in paths:
            if file.stat().st_size <= MAX_FILE_BYTES:
                yield rel, file.read_bytes()
        return
    if source.kind == "wheel" or origin.name.endswith(".zip"):
        with zipfile.ZipFile(origin) as zf:
            infos = [i for i in zf.infolist() if wanted_python_path(i.filename)]
            for info in sorted(infos, key=lambda i: i.filename)[:max_files]:
                if info.file_size <= MAX_FILE_BYTES:
                    yield _strip_top(info.filename, source.kind), zf.read(info)
        return
    with tarfile.open(origin) as tf:
        members = [
            m
            for m in tf.getmembers()
            if m.isfile() and wanted_python_path(_strip_top(m.name, "sdist"))
        ]
        for member in sorted(members, key=lambda m: m.name)[:max_files]:
            handle = tf.extractfile(member) if member.size <= MAX_FILE_BYTES else None
            if handle is not None:
                yield _strip_top(member.name, "sdist"), handle.read()


def _strip_top(name: str, kind: str) -> str:
    if kind != "sdist":
        return name
    parts = name.split("/", 1)
    return parts[1] if len(parts) == 2 else name

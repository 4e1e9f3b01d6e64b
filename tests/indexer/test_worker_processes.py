"""Parser worker processes are never forked from a process with threads (a forked child
inherits the locks other threads held at that instant and can wait on them forever)."""

from __future__ import annotations

import threading
from pathlib import Path

from indexer.coverage import _PARALLEL_MIN_FILES, check_paths
from indexer.processes import worker_context


def test_workers_start_without_fork() -> None:
    assert worker_context().get_start_method() in ("forkserver", "spawn")


def test_many_files_parse_in_workers_beside_a_busy_thread(tmp_path: Path) -> None:
    """The parallel path (more than ``_PARALLEL_MIN_FILES`` files, two workers) gives the
    in-process result while another thread of this process holds a lock, as a server's
    threads do."""
    files = _PARALLEL_MIN_FILES + 12
    for i in range(files):
        body = f"def f{i}(x):\n    return x\n\n\ndef g{i}():\n    '''Documented.'''\n"
        (tmp_path / f"m{i}.py").write_text(body)
    held, stop = threading.Lock(), threading.Event()

    def busy() -> None:
        with held:
            stop.wait(60)

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    try:
        parallel = check_paths([tmp_path], root=tmp_path, use_index=False, workers=2)
    finally:
        stop.set()
        thread.join(10)
    alone = check_paths([tmp_path], root=tmp_path, use_index=False, workers=1)
    assert parallel.to_dict() == alone.to_dict()
    # each file: a module and ``f`` undocumented, ``g`` documented
    assert (parallel.files, parallel.total, parallel.documented) == (files, 3 * files, files)

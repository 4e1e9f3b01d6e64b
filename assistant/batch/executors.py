"""Where the stages of :mod:`assistant.batch.stages` run: a local process pool or Ray.

Both executors have the same two methods, each yielding one result per job as results
complete, and run the same stage code:

- :class:`LocalPool`: a ``concurrent.futures.ProcessPoolExecutor`` of ``workers`` spawned
  processes; each holds one :class:`~assistant.batch.stages.DraftWorker` (made by the pool's
  initializer), and index jobs run on the same processes. A worker that dies breaks the
  pool: the jobs it took down run again, one at a time, on a fresh one (a job fails after
  its worker died :data:`RETRIES` times running it alone).
- :class:`RayExecutor`: the index stage as Ray tasks (``max_retries``), the draft stage on
  an ``ray.util.ActorPool`` of ``workers`` actors, each a ``DraftWorker`` (``max_restarts``,
  ``max_task_retries``: a killed actor is restarted and its job runs again, so its result
  arrives exactly once). Ray schedules; nothing here second-guesses it.

Ray is an extra (``docgen-assistant[ray]``): :class:`RayMissing` says so when it is not installed.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from assistant.batch.stages import Drafted, DraftWorker, Indexed, Job, index_stage
from indexer.extras import missing_extra

RETRIES = 3
"""How often Ray retries a task, restarts an actor, and retries an actor's task; how often
the local pool runs a job again after a worker died."""
LOCAL_OBJECT_STORE = 100 * 1024 * 1024
"""The object store of a ``--ray local`` cluster (records and patches are small)."""


class RayMissing(RuntimeError):
    """``--ray`` was asked for and Ray is not installed."""


class ClusterUnreachable(RuntimeError):
    """Nothing answers at the cluster address (one line: what to check)."""


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse a ``HOST:PORT`` or ``ray://HOST:PORT`` address where nothing listens, at
    once (Ray itself keeps retrying for minutes).

    Raises:
        ClusterUnreachable: The address is malformed or refuses connections.
    """
    import socket

    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterUnreachable(
            f"--ray {address}: expected local, auto, HOST:PORT or ray://HOST:PORT"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ClusterUnreachable(
            f"no Ray cluster answers at {address} ({exc.strerror or exc}): start one with "
            "`ray start --head` or check the address"
        ) from None


class Executor(Protocol):
    """Runs the two stages; yields one result per job, in completion order."""

    def index(self, jobs: list[Job]) -> Iterator[Indexed]: ...

    def draft(self, jobs: list[Job]) -> Iterator[Drafted]: ...

    def close(self) -> None: ...


_WORKER: DraftWorker | None = None  # the DraftWorker of a local pool's process


def _start_worker() -> None:
    global _WORKER
    _WORKER = DraftWorker()


def _draft_here(job: Job) -> Drafted:
    assert _WORKER is not None, "the pool's initializer makes the worker"
    return _WORKER.document(job)


def _lost(name: str, why: str) -> str:
    return f"{name}: {why}"


class LocalPool:
    """The stages on ``workers`` local processes (``docgen batch`` without ``--ray``)."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),  # no forked model threads
                initializer=_start_worker,
            )
        return self._pool

    def _map(self, function, jobs: list[Job], failed) -> Iterator[Any]:
        """Yield ``function(job)`` per job as each completes. A worker that dies breaks the
        whole pool, and with it every job in flight or queued, so which job killed it is
        not known: those jobs then run again one at a time on a fresh pool, where a death
        names its job, and a job fails only when its worker died each of :data:`RETRIES`
        times it ran alone."""
        pool = self._executor()
        futures = {pool.submit(function, job): job for job in jobs}
        broken: list[Job] = []
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield future.result()
            except BrokenProcessPool:
                broken.append(job)
            except Exception as exc:  # noqa: BLE001 - reported for that repository only
                yield failed(job, f"{type(exc).__name__}: {exc}")
        if broken:
            self._discard_pool()
        for job in broken:
            yield self._alone(function, job, failed)

    def _alone(self, function, job: Job, failed) -> Any:
        for _ in range(RETRIES):
            try:
                return self._executor().submit(function, job).result()
            except BrokenProcessPool:
                self._discard_pool()  # the next try, job or stage gets a fresh pool
            except Exception as exc:  # noqa: BLE001 - reported for that repository only
                return failed(job, f"{type(exc).__name__}: {exc}")
        return failed(job, f"a worker process died each of the {RETRIES} times it ran this job")

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def index(self, jobs: list[Job]) -> Iterator[Indexed]:
        """Run :func:`index_stage` on each job in the pool."""
        return self._map(
            index_stage, jobs, lambda job, why: Indexed(job.repository.name, error=why)
        )

    def draft(self, jobs: list[Job]) -> Iterator[Drafted]:
        """Run :meth:`DraftWorker.document` on each job, in the process's own worker."""
        return self._map(
            _draft_here, jobs, lambda job, why: Drafted(job.repository.name, error=why)
        )

    def close(self) -> None:
        """Stop the processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _import_ray():
    try:
        import ray
    except ImportError as exc:
        raise RayMissing(missing_extra("--ray", "ray")) from exc
    return ray


class RayExecutor:
    """The stages on a Ray cluster: ``address`` is ``local`` (start a private one-machine
    cluster of ``workers`` CPUs, stopped on :meth:`close`), ``auto`` (the cluster this
    machine belongs to, e.g. after ``ray start --head``) or a cluster address
    (``ray://host:10001`` or ``host:6379``)."""

    def __init__(self, address: str = "local", workers: int = 1) -> None:
        ray = _import_ray()
        self.ray = ray
        self.workers = workers
        self._owned = False
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "logging_level": "error",
            }
            if address == "local":
                options.update(num_cpus=workers, object_store_memory=LOCAL_OBJECT_STORE)
            else:
                if address != "auto":
                    check_reachable(address)
                options["address"] = address
            ray.init(**options)
            self._owned = True
        self._index_task = ray.remote(num_cpus=1, max_retries=RETRIES)(index_stage)
        self._actor_class = ray.remote(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES)(
            DraftWorker
        )
        self._actors: list[Any] = []
        self.pids: list[int] = []

    def _errors(self) -> tuple[type[BaseException], ...]:
        return (self.ray.exceptions.RayError,)

    def index(self, jobs: list[Job]) -> Iterator[Indexed]:
        """Run :func:`index_stage` on each job as a Ray task (retried if its worker dies)."""
        ray = self.ray
        pending = {self._index_task.remote(job): job for job in jobs}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ready[0])
            try:
                yield ray.get(ready[0])
            except self._errors() as exc:
                yield Indexed(job.repository.name, error=_first_line(exc))

    def _pool(self):
        from ray.util import ActorPool

        if not self._actors:
            self._actors = [self._actor_class.remote() for _ in range(self.workers)]
            self.pids = self.ray.get([actor.pid.remote() for actor in self._actors])
        return ActorPool(self._actors)

    def worker_pids(self) -> list[int]:
        """The process ids of the draft actors now (they change when one is restarted)."""
        return self.ray.get([actor.pid.remote() for actor in self._actors])

    def draft(self, jobs: list[Job]) -> Iterator[Drafted]:
        """Run :meth:`DraftWorker.document` on each job on the actor pool."""
        pool = self._pool()
        for job in jobs:
            pool.submit(lambda actor, job: actor.document.remote(job), job)
        left = {job.repository.name: job for job in jobs}
        last = ""
        while pool.has_next():
            try:
                drafted = pool.get_next_unordered()
            except self._errors() as exc:
                # retries spent: the job is named below, once the pool has drained
                last = _first_line(exc)
                continue
            if left.pop(drafted.name, None) is not None:
                yield drafted
        for name in left:
            yield Drafted(name, error=f"its worker died {RETRIES + 1} times ({last})")

    def close(self) -> None:
        """Let the actors go, and stop the cluster if this executor started it."""
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []
        if self._owned:
            self.ray.shutdown()
            self._owned = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def executor_for(ray_address: str | None, workers: int) -> Executor:
    """``RayExecutor(ray_address, workers)`` for an address, else ``LocalPool(workers)``.

    Raises:
        RayMissing: An address was given and Ray is not installed.
    """
    if ray_address:
        return RayExecutor(ray_address, workers)
    return LocalPool(workers)

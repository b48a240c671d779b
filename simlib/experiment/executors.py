"""Executors: run batches of replications serially, on a local process pool, or on Dask; yield as completed.

All three call the same :func:`~simlib.experiment.batch.run_batch` with the same seeds, so they give identical
results. Local worker processes are started with *forkserver* where available (Linux, macOS; Python 3.14's
default on Linux) and *spawn* elsewhere (Dask's default too); unlike *fork*, both are safe when the parent has
threads (a notebook kernel, a Dask client, tqdm). The fork server preloads the replication function's module,
so pools after the first start in a fraction of a second; :meth:`ProcessExecutor.warm` starts the fork server and
the workers in the background, so that they import the model while the caller imports the rest (a notebook's
first cell). Besides batches, an executor runs a single call off the caller's process
(:meth:`~ProcessExecutor.submit`: a chart's replication). A notebook needs no ``if __name__ == "__main__"``;
the replication function must live in an importable module (checked up front). A script that starts a process
pool still needs the guard, as with any use of multiprocessing.

Workers die with their driver: a pool's workers watch the driver's process (:func:`die_with_driver`) and exit
at once when it ends, by any signal (SIGKILL and the OOM killer included), so nothing more is written into a
store whose lock has gone. Dask's worker processes do the same by themselves (``distributed`` ends a worker
whose nanny's pipe closes; a ``LocalCluster``'s nannies live in the driver).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from simlib.errors import InputError

if TYPE_CHECKING:  # the batch and contract modules (numpy, the scenario schema) load when a batch first runs,
    # so that a notebook starts its workers (warm) before it has imported them
    from simlib.experiment.batch import Batch
    from simlib.experiment.contract import ReplicationFn

EXECUTORS: tuple[str, ...] = ("serial", "processes", "dask")
R = TypeVar("R")


def available_cores() -> int:
    """Cores this process may use (affinity-aware)."""
    if hasattr(os, "process_cpu_count"):  # Python >= 3.13
        return os.process_cpu_count() or 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def _driver_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - alive, under another user
        return True
    return True


def _exit_when_gone(driver: int) -> None:
    """Wait for process ``driver`` to end (by any signal, SIGKILL included), then end this process at once."""
    try:
        pidfd = os.pidfd_open(driver)  # Linux >= 5.3: readable once the driver has ended (even unreaped)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # other systems: poll
        while _driver_alive(driver):
            time.sleep(0.2)
    else:
        select.select([pidfd], [], [])
    os._exit(1)  # no clean-up: nothing more may be written for a driver that is gone


def die_with_driver(driver: int) -> None:
    """Worker initializer: end this worker as soon as the driver process ``driver`` ends; leave SIGINT to the
    driver.

    A pool's workers are not the driver's children under *forkserver* (the fork server is their parent), and
    the fork server lives as long as any worker holds its pipe; without this, a driver killed by SIGKILL (or
    the OOM killer) leaves them running their batches and writing into a store whose lock is gone. A terminal's
    Ctrl-C and a notebook's interrupt reach the driver's whole process group: the driver stops the workers of a
    run it interrupts (:meth:`ProcessExecutor.abort`), and a warm pool that was idle stays usable.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_gone, args=(driver,), name="simlib-driver-watch", daemon=True).start()


def _start_workers(pool: ProcessPoolExecutor, workers: int) -> None:
    """Make ``pool`` start its ``workers`` (unless it was closed meanwhile): a pool not started by *fork* starts
    a worker for each task submitted while none is idle, and these trivial tasks follow each other faster than a
    new worker can answer one."""
    with contextlib.suppress(RuntimeError):  # shut down before its workers were asked for: nothing to start
        for _ in range(workers):
            pool.submit(os.getpid)


class Executor(Protocol):
    """Runs batches and yields each batch's rows as it completes."""

    name: str

    @property
    def workers(self) -> int: ...

    @property
    def shared_filesystem(self) -> bool:
        """Whether workers can write into the client's results directory."""
        ...

    def run(
        self, fn: ReplicationFn, batches: Sequence[Batch], store_dir: str | None
    ) -> Iterator[list[dict]]: ...

    def warm(self, modules: Sequence[str]) -> None:
        """Start the workers now, without waiting, with ``modules`` imported (nothing to do for some)."""
        ...

    def submit(self, call: Callable[..., R], *args: Any) -> Future[R]:
        """Run ``call(*args)`` on a worker (a top-level function with picklable arguments); its future."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class _Base:
    name = "base"

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers (nothing to do by default)."""

    def warm(self, modules: Sequence[str]) -> None:
        """Nothing to start beforehand (by default)."""

    def submit(self, call: Callable[..., R], *args: Any) -> Future[R]:
        """``call(*args)`` run now, in this process, as a finished future (by default)."""
        future: Future[R] = Future()
        try:
            future.set_result(call(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    @property
    def shared_filesystem(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} workers={self.workers}>"

    @property
    def workers(self) -> int:
        return 1


class SerialExecutor(_Base):
    """Runs batches one after the other in this process."""

    name = "serial"

    def run(self, fn: ReplicationFn, batches: Sequence[Batch], store_dir: str | None) -> Iterator[list[dict]]:
        from simlib.experiment.batch import run_batch
        from simlib.experiment.contract import check_replication_fn

        check_replication_fn(fn)
        for batch in batches:
            yield run_batch(fn, batch, store_dir)


class ProcessExecutor(_Base):
    """A local :class:`~concurrent.futures.ProcessPoolExecutor` (default: all cores, *forkserver* or *spawn*).

    The pool starts on first use (or on :meth:`warm`) and is reused until :meth:`close`, so successive calls
    (as in the sequential procedure) pay the start-up once.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str | None = None) -> None:
        if workers is not None and workers < 1:
            raise InputError(field="--workers", key="executor.workers", values={"workers": workers})
        self._workers = workers or available_cores()
        methods = multiprocessing.get_all_start_methods()
        self._start_method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        self._pool: ProcessPoolExecutor | None = None
        self._preload: list[str] = []
        self._starting = threading.Lock()  # one pool, whichever thread asks first

    @property
    def workers(self) -> int:
        return self._workers

    def _ensure(self) -> ProcessPoolExecutor:
        with self._starting:
            if self._pool is None:
                context = multiprocessing.get_context(self._start_method)
                if self._start_method == "forkserver":
                    context.set_forkserver_preload(["simlib.experiment.batch", *self._preload])
                self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context,
                                                 initializer=die_with_driver, initargs=(os.getpid(),))
            return self._pool

    def warm(self, modules: Sequence[str]) -> None:
        """Start the pool now, ``modules`` (a replication function's, by name: the caller need not have imported
        it yet) preloaded by the fork server, and its workers on a background thread: starting them waits for
        the fork server's imports (a second or more), which then overlap with what the caller does meanwhile (a
        notebook's imports). A batch submitted before they are up waits for them."""
        self._preload = list(modules)
        pool = self._ensure()
        threading.Thread(target=_start_workers, args=(pool, self._workers), name="simlib-pool-warm",
                         daemon=True).start()

    def submit(self, call: Callable[..., R], *args: Any) -> Future[R]:
        """``call(*args)`` on a worker of the pool (started if need be)."""
        return self._ensure().submit(call, *args)

    def run(self, fn: ReplicationFn, batches: Sequence[Batch], store_dir: str | None) -> Iterator[list[dict]]:
        from simlib.experiment.batch import run_batch
        from simlib.experiment.contract import check_replication_fn

        check_replication_fn(fn, importable=self._start_method != "fork")
        self._preload = [fn.__module__]
        pool = self._ensure()
        futures: list[Future] = [pool.submit(run_batch, fn, batch, store_dir) for batch in batches]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:  # Ctrl-C, SIGTERM, an error: stop the workers now, not after their batch
            self.abort()
            raise
        finally:
            for future in futures:
                future.cancel()

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for measurements)."""
        return list((self._pool._processes or {}).keys()) if self._pool is not None else []

    def abort(self) -> None:
        """Stop at once: cancel queued batches and terminate running workers. Replications already finished
        are in the store; a batch cut short is simply run again on resume."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        workers = list((pool._processes or {}).values())  # public terminate_workers() only from Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(timeout=5)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(_Base):
    """Dask distributed: connect to ``scheduler`` (an address), or start a ``LocalCluster`` of processes.

    The local cluster has ``workers`` single-threaded worker processes (default: all cores) and no dashboard.
    Functions are shipped with cloudpickle, so a function defined in a notebook works too. With a remote
    scheduler the workers may not see this machine's disk, so rows are written by the client as each batch
    returns (use smaller batches for finer-grained saving).
    """

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, workers: int | None = None, timeout: float = 10.0
    ) -> None:
        if workers is not None and workers < 1:
            raise InputError(field="--workers", key="executor.workers", values={"workers": workers})
        self._scheduler = scheduler
        self._requested = workers
        self._timeout = timeout
        self._cluster: Any = None
        self._client: Any = None

    def _ensure(self) -> Any:
        if self._client is None:
            from distributed import Client, LocalCluster

            if self._scheduler:
                try:
                    self._client = Client(self._scheduler, timeout=f"{self._timeout}s")
                except OSError as exc:
                    raise InputError(field="--scheduler", key="executor.no_scheduler",
                                     values={"address": self._scheduler, "error": exc}) from exc
            else:
                self._cluster = LocalCluster(
                    host="127.0.0.1",  # the scheduler and the workers answer on this machine only
                    n_workers=self._requested or available_cores(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
        return self._client

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` (started on first use)."""
        return self._ensure()

    @property
    def workers(self) -> int:
        if self._client is None and not self._scheduler:
            return self._requested or available_cores()
        info = self._ensure().scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    @property
    def shared_filesystem(self) -> bool:
        return not self._scheduler

    def run(self, fn: ReplicationFn, batches: Sequence[Batch], store_dir: str | None) -> Iterator[list[dict]]:
        from distributed import as_completed as dask_completed

        from simlib.experiment.batch import run_batch
        from simlib.experiment.contract import check_replication_fn

        check_replication_fn(fn)
        client = self._ensure()
        futures = [client.submit(run_batch, fn, batch, store_dir, pure=False) for batch in batches]
        try:
            for future in dask_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)

    def submit(self, call: Callable[..., R], *args: Any) -> Future[R]:
        """``call(*args)`` on a Dask worker (a ``distributed`` future: ``result()`` as for any other)."""
        return self._ensure().submit(call, *args, pure=False)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    kind: str | Executor = "serial", *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """An executor by name (``serial``, ``processes``, ``dask``); an executor instance is returned as is."""
    if not isinstance(kind, str):
        return kind
    if scheduler and kind != "dask":
        raise InputError(field="--scheduler", key="executor.scheduler_not_dask", values={"kind": repr(kind)})
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(scheduler, workers)
    raise InputError(field="--executor", key="executor.unknown",
                     values={"kind": repr(kind), "kinds": ", ".join(EXECUTORS)})

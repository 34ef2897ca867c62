"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

Every executor takes a list of tasks (plain dicts) and yields each result the moment it finishes, so the batch
can store it at once. :func:`run_task` is the unit of work; it never raises: a failing run comes back with its
error, and the batch records it and carries on.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import partial
from typing import TYPE_CHECKING, Any

from sez_sim.experiments.spec import Outcome

if TYPE_CHECKING:
    from dask.distributed import LocalCluster

INTERRUPTED = 130
"""Exit code of a worker stopped by Ctrl-C."""

SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Worker processes run one simulation each; multi-threaded BLAS in every one of them would oversubscribe the
cores (two 2-thread workers on 2 cores ran 2.8x slower here), so workers get one thread each."""


def _single_threaded_children() -> None:
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)


def _worker_started() -> None:
    """In a new local worker process: stop at once on Ctrl-C, and keep the imports out of the cycle collector.

    On Ctrl-C (the whole process group gets it) the worker exits without a traceback; the batch's own process stops
    the pool and exits with code 130, and finished runs are already stored.
    """
    signal.signal(signal.SIGINT, lambda *_: os._exit(INTERRUPTED))
    _freeze_imports()


def _freeze_imports(collect: bool = False) -> None:
    """Freeze what a worker process holds before its first run out of the cycle collector (``gc.freeze``).

    :func:`run_task` collects cycles after every run, and a full collection walks every object the process tracks:
    about 140,000 once sez-sim and its libraries are imported, 60-100 ms a run (a quarter of a one-year GMS run, most
    of a small model's). Frozen, the imported objects are no longer walked (the collection then takes about 2 ms);
    they live as long as the process anyway. What runs make, their models among them, is collected as before.

    Args:
        collect: collect cycles first (a Dask worker may have run other work; a new local worker holds next to no
            garbage, and the collection would cost it as much as a run's).
    """
    import sez_sim.model
    import sez_sim.runs  # noqa: F401  (what every run imports, frozen with the rest)

    if collect:
        gc.collect()
    gc.freeze()


Tables = tuple[Any, Any, Any, Any]
"""A finished run's summary, provinces and zones tables and its geography, as outcomes read them."""


def _simulated(task: dict[str, Any]) -> Tables:
    """Load the task's scenario with its overrides and simulate it: its tables and geography."""
    from sez_sim.runs import simulate
    from sez_sim.scenario import load_scenario

    scenario = load_scenario(task["scenario"], task["overrides"], relative_to=task.get("source"))
    result = simulate(scenario, task["seed"], task["years"])
    return result.summary, result.provinces, result.zones, result.model.geo


def result_of(task: dict[str, Any], tables: Callable[[], Tables]) -> dict[str, Any]:
    """What a task gives from the run ``tables()`` makes (or returns, for a run made elsewhere); never raises.

    Returns:
        ``key``, ``status`` (``ok`` or ``error``), ``outcomes``, ``summary`` (the run's per-step table),
        and what a comparison asks for: ``provinces_end`` (the task's columns of the province table at the last
        step, for effects by province and by country) and, for its ledger by country, ``province_tax`` (each
        province's profit tax and taxable profit in every step) and ``zone_cost`` (each country's public cost of
        zones over the run),
        ``seconds`` and, on failure, ``error`` and ``user_error`` (whether the input was at fault).
    """
    from sez_sim.errors import UserError

    start = time.perf_counter()
    out: dict[str, Any] = {"key": task["key"], "status": "ok", "error": None}
    try:
        summary, panel, zones, geo = tables()
        outcomes = [Outcome.model_validate(o) for o in task["outcomes"]]
        out["outcomes"] = {o.name: o.value(summary, panel, zones, geo) for o in outcomes}
        out["summary"] = summary
        last = panel["step"] == panel["step"].max()
        if task.get("provinces_end"):
            out["provinces_end"] = panel.loc[last, task["provinces_end"]]
        if task.get("fiscal"):
            out["province_tax"] = panel[["step", "province_id", "profit_tax", "taxable_profit"]]
            out["zone_cost"] = zones.groupby("country", as_index=False)["public_cost"].sum()
    except Exception as exc:  # noqa: BLE001 (a failing run is recorded, not fatal)
        out["status"] = "error"
        out["user_error"] = isinstance(exc, UserError)
        # A user's mistake says what is wrong in its own words; a bug keeps its type for the report.
        out["error"] = str(exc) if out["user_error"] else f"{type(exc).__name__}: {exc}".strip()
        out["traceback"] = traceback.format_exc(limit=8)
        out["outcomes"] = {}
        out["summary"] = None
    out["seconds"] = time.perf_counter() - start
    return out


def _run(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task: load the scenario with its overrides, simulate, compute the outcomes (:func:`result_of`)."""
    return result_of(task, partial(_simulated, task))


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task (:func:`_run`) and free its model before the next.

    A model and its agents refer to each other, so only the cycle collector frees them, and it runs too rarely for
    a worker that builds model after model: a worker's resident memory rose by about 23 MB every few runs.

    Returns:
        What :func:`_run` returns, with ``worker`` (the process id) and ``worker_rss_mb`` (its resident memory once
        the run is freed).
    """
    out = _run(task)
    gc.collect()
    out["worker"] = os.getpid()
    out["worker_rss_mb"] = resident_mb()
    return out


def resident_mb() -> float:
    """This process's resident memory now, in MB (its peak so far where /proc is not available)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_here(tasks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Run tasks one after the other in this process.

    :func:`run_task` collects cycles after every run, and a full collection walks every object the process tracks,
    the runs' and everything it held before them: its libraries, a notebook's objects. For short runs that took about
    as long as the runs (``sez-sim batch --workers 1`` of the students' guide's exercise 7, 64 teaching-corridor runs
    of two years: 92-102% on top of their time, 23-28% once frozen; benchmarks/README.md, session 68). So, as a worker
    process keeps its imports out of the collection (:func:`_freeze_imports`), what is alive when the first run
    starts is frozen while they go, and handed back to the collector when they end or are stopped. A process that has
    frozen objects itself (a pool or Dask worker, a test session) is left as it is: its frozen objects and these could
    not be told apart when handing them back.
    """
    ours = gc.get_freeze_count() == 0
    if ours:
        _freeze_imports(collect=True)
    try:
        for task in tasks:
            yield run_task(task)
    finally:
        if ours:
            gc.unfreeze()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` local processes, each started with :func:`_worker_started`.

    They are forked from a server process that has already imported sez-sim and its libraries (a clean state,
    without the import cost of spawning each worker from scratch).
    """
    _single_threaded_children()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sez_sim.experiments.executors", "sez_sim.runs", "sez_sim.model"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_started)


def run_processes(tasks: list[dict[str, Any]], workers: int) -> Iterator[dict[str, Any]]:
    """Run tasks in ``workers`` local processes (:func:`worker_pool`), one run at a time each."""
    if workers <= 1 or len(tasks) <= 1:
        yield from run_here(tasks)
        return
    pool = worker_pool(workers)
    try:
        pending = {pool.submit(run_task, task) for task in tasks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list((pool._processes or {}).values()):  # Python < 3.14 has no public way to stop workers
            process.terminate()
        raise
    pool.shutdown()


CONNECT_TIMEOUT = 10.0
"""Seconds to wait for an existing Dask scheduler to answer."""


def connect(scheduler: str):
    """A Dask client of the scheduler at ``scheduler`` (``tcp://host:port``).

    Raises:
        UserError: for an address that is not one, or a scheduler that does not answer within
            :data:`CONNECT_TIMEOUT` seconds.
    """
    from dask.distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port

    from sez_sim.errors import Problem, UserError

    try:
        protocol, location = parse_address(scheduler, strict=True)
        if protocol in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise UserError(
            [Problem(f"--scheduler {scheduler}", "", f"not a scheduler address ({exc}); give tcp://host:port")]
        ) from None
    try:
        return Client(scheduler, timeout=f"{CONNECT_TIMEOUT:g}s")
    except (OSError, TimeoutError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            [Problem(f"--scheduler {scheduler}", "", f"no Dask scheduler answered ({reason}); is it running?")]
        ) from None


def local_cluster(workers: int) -> LocalCluster:
    """A Dask LocalCluster of single-threaded worker processes on 127.0.0.1, without a dashboard.

    Its scheduler serves Dask's HTTP routes (health, metrics) even without the dashboard, on the dashboard's port
    8787 unless told otherwise; a second cluster on the machine (another sweep, a notebook's) then gets a warning
    that the port is taken. This one takes a free port.
    """
    from dask.distributed import LocalCluster

    _single_threaded_children()
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )


def executor(
    workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None
) -> Callable[[list[dict[str, Any]]], Iterator[dict[str, Any]]]:
    """Where tasks run, as a function of the task list that yields their results.

    On the Dask scheduler at ``scheduler`` (connected to now, before anything runs), on a Dask LocalCluster of
    ``dask_local`` workers, or else in ``workers`` local processes (default: the number of cores).

    Raises:
        ScenarioError: for a count below 1, or both a scheduler and a local cluster.
        UserError: for a scheduler address that is not one or a scheduler that does not answer (:func:`connect`).
    """
    from sez_sim.errors import Problem, ScenarioError
    from sez_sim.yamlio import check_counts

    check_counts(workers=(workers, 1), dask_local=(dask_local, 1))
    if scheduler is not None and dask_local is not None:
        raise ScenarioError([Problem("scheduler", "", "give a scheduler or a local cluster (dask_local), not both")])
    if scheduler is not None:
        return partial(run_dask, client=connect(scheduler))
    if dask_local is not None:
        return partial(run_dask, local_workers=dask_local)
    return partial(run_processes, workers=workers or os.cpu_count() or 1)


def run_dask(tasks: list[dict[str, Any]], client=None, local_workers: int | None = None) -> Iterator[dict[str, Any]]:
    """Run tasks on a Dask cluster: a connected client (see :func:`connect`), or a LocalCluster of N workers.

    Dask reruns a task whose worker died; the run store keeps one result per run key, so nothing is done twice.
    """
    from dask.distributed import Client, as_completed

    cluster = None
    if client is None:
        cluster = local_cluster(local_workers or 1)
        client = Client(cluster)
    try:
        client.run(_freeze_imports, collect=True)  # the workers there now; one that joins later collects slower
        futures = client.map(run_task, tasks, pure=False)
        for future in as_completed(futures):
            result = future.result()
            future.release()
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

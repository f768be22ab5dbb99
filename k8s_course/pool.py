"""Worker processes whose death is a result, not a hang: run tasks, get one answer per task.

`concurrent.futures` breaks the whole pool when one worker dies and cannot
say which task killed it. Here each worker has its own pipe and works on one
task at a time, so when a worker ends before answering (killed, out of
memory) we know exactly which task it held: that task's answer is `Died`, a
fresh worker takes its place, and every other task still gets its answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


@dataclass(frozen=True)
class Died:
    """The worker holding this task ended before it answered."""

    exitcode: int | None

    @property
    def reason(self) -> str:
        if self.exitcode is not None and self.exitcode < 0:
            return f"killed by signal {-self.exitcode}"  # 9 is what the out-of-memory killer sends
        return f"exit code {self.exitcode}"


@dataclass(frozen=True)
class Failed:
    """The task raised an exception in its worker (the worker lives on)."""

    error: str


def _context():
    import multiprocessing  # loads when a pool starts: a one-file check never needs it
    import threading

    # fork starts a worker in milliseconds with the checker already imported, but
    # forking a process that runs other threads (a Jupyter kernel) can copy a lock
    # some thread holds; then, and where there is no fork, workers start afresh.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _serve(connection: Connection, function: Callable[[Any], Any],
           initializer: Callable[[], None] | None) -> None:
    """A worker: answer one task at a time until told to stop (None) or the pipe closes."""
    import signal

    # Ctrl-C reaches the whole process group: the parent stops the work, a worker
    # that died of it too would only print a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer()
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        index, task = message
        try:
            result = function(task)
        except Exception as error:  # one task's bug must not take the worker's other tasks
            result = Failed(type(error).__name__)
        connection.send((index, result))


def run_tasks(function: Callable[[Any], Any], tasks: Sequence[Any], jobs: int,
              initializer: Callable[[], None] | None = None) -> list[Any]:
    """`function(task)` for every task in `jobs` worker processes, answers in task order.

    An answer is what `function` returned, `Failed` when it raised, or `Died`
    when its worker process ended first. `function` must be a module-level
    function (spawn pickles it by name).
    """
    from multiprocessing.connection import wait

    context = _context()
    results: list[Any] = [None] * len(tasks)
    waiting = deque(range(len(tasks)))
    busy: dict[Connection, tuple[Any, int]] = {}  # pipe -> (process, task index)
    processes = []

    def start() -> tuple[Connection, Any]:
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, function, initializer),
                                  daemon=True)
        process.start()
        theirs.close()  # so that a dead worker reads as the end of our pipe
        processes.append(process)
        return ours, process

    def hand_out(connection: Connection, process: Any) -> None:
        if waiting:
            index = waiting.popleft()
            connection.send((index, tasks[index]))
            busy[connection] = (process, index)
        else:
            connection.send(None)
            connection.close()

    try:
        for _ in range(min(jobs, len(tasks))):
            hand_out(*start())
        while busy:
            ready = set(wait([*busy, *(process.sentinel for process, _ in busy.values())]))
            for connection, (process, index) in list(busy.items()):
                if connection not in ready and process.sentinel not in ready:
                    continue
                del busy[connection]
                try:
                    _, results[index] = connection.recv()
                except (EOFError, OSError):
                    process.join()
                    results[index] = Died(process.exitcode)
                    connection.close()
                    if waiting:
                        hand_out(*start())
                    continue
                hand_out(connection, process)
    finally:
        for process in processes:
            if process.is_alive() and any(p is process for p, _ in busy.values()):
                process.kill()  # interrupted: nobody will read what it is doing
            process.join()
    return results

"""What every benchmark prints beside its figures: how busy the machine was and how fast
it ran at that moment, since a shared machine's speed drifts by half within minutes."""

import importlib.util
import os
import statistics
import time
from pathlib import Path


def load(own: float = 0) -> str:
    """The machine's load: figures taken while other processes compete for the CPUs are not
    the benchmark's own. `own`: how many busy cores the benchmark adds by itself."""
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return ""
    busy = " (¡máquina ocupada: cifras poco fiables!)" if one - own > 0.5 * (os.cpu_count() or 1) else ""
    return f"Carga del sistema: {one:.2f} (1 min), {five:.2f} (5 min){busy}."


def cpu_reference_ms() -> float:
    """The median time of a fixed pure-Python computation: the machine's speed right now;
    every figure moves with it."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(200_000))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def intake_benchmark():
    """benchmarks/intake.py (its gunicorn and HTTP client), loaded by path: `intake` is
    also an app, so it cannot be imported by name."""
    spec = importlib.util.spec_from_file_location("intake_benchmark", Path(__file__).with_name("intake.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SqlTimer:
    """A database execute wrapper (connection.execute_wrapper) that adds up the time of every query."""

    def __init__(self):
        self.total = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - started

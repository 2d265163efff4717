"""bin/respawn: under `make run` a worker or beat that exits comes back, and Ctrl-C or
honcho's SIGTERM still stops everything."""

import os
import signal
import subprocess
import sys
import time

import pytest

from .processes import ROOT, celery_command, desk_environment, stop, wait_for

RESPAWN = str(ROOT / "bin" / "respawn")

# A child that records its pid, says whether SIGTERM reached it, and exits with 3 after
# a moment unless told to stay.
CHILD = """
import os, signal, sys, time
log = sys.argv[1]
def terminated(signum, frame):
    open(log, "a").write(f"signal {signum} {os.getpid()}\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, terminated)
signal.signal(signal.SIGINT, terminated)
open(log, "a").write(f"start {os.getpid()}\\n")
time.sleep(float(sys.argv[2]))
sys.exit(3)
"""


def lines(path):
    return path.read_text().splitlines() if path.exists() else []


def starts(path):
    return [line for line in lines(path) if line.startswith("start ")]


def respawn(tmp_path, lifetime: float, *options: str):
    log = tmp_path / "child.log"
    process = subprocess.Popen(
        [sys.executable, RESPAWN, *options, "--", sys.executable, "-c", CHILD, str(log), str(lifetime)],
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, log


def test_a_command_that_exits_is_started_again_with_a_growing_pause(tmp_path):
    process, log = respawn(tmp_path, 0, "--delay", "0.3", "--max-delay", "0.6")
    try:
        wait_for(lambda: len(starts(log)) >= 4, 15, "four starts")
    finally:
        stop(process)
    pids = {line.split()[1] for line in starts(log)}
    assert len(pids) == len(starts(log))  # a new process each time
    stderr = process.stderr.read()
    assert "exited with 3" in stderr
    # Pauses double from --delay up to --max-delay: 0.3, 0.6, 0.6 …
    assert "starting it again in 0.3 s" in stderr and "starting it again in 0.6 s" in stderr
    assert "starting it again in 1.2 s" not in stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_reaches_the_command_and_ends_the_wrapper(tmp_path, signum):
    process, log = respawn(tmp_path, 30)
    try:
        wait_for(lambda: starts(log), 10, "the command to start")
        process.send_signal(signum)
        assert process.wait(10) == 0
    finally:
        stop(process)
    child_pid = starts(log)[0].split()[1]
    assert f"signal {int(signum)} {child_pid}" in lines(log)
    assert len(starts(log)) == 1  # not started again


def test_a_stop_signal_during_the_pause_ends_the_wrapper_at_once(tmp_path):
    process, log = respawn(tmp_path, 0, "--delay", "30")
    try:
        wait_for(lambda: starts(log), 10, "the command to start")
        time.sleep(0.5)  # the command has exited; the wrapper is pausing for 30 s
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(5) == 0
        assert time.monotonic() - started < 2
    finally:
        stop(process)
    assert len(starts(log)) == 1


def test_the_procfile_runs_worker_and_beat_under_the_wrapper():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)
    assert procfile["worker"].startswith("bin/respawn -- celery -A helpdesk worker")
    assert procfile["beat"].startswith("bin/respawn -- celery -A helpdesk beat")


def test_a_killed_celery_worker_is_back_without_anyone_restarting_it(tmp_path):
    """The Procfile's worker line on the file-system broker: SIGKILL the worker (as the OOM
    killer would); a new worker is ready again, then Ctrl-C stops it cleanly."""
    output = tmp_path / "worker.log"
    env = desk_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'desk.sqlite3'}",
        HELPDESK_VAR_DIR=str(tmp_path / "var"),
    )
    with output.open("wb") as stream:
        process = subprocess.Popen(
            [sys.executable, RESPAWN, "--", *celery_command("worker", "--loglevel=INFO", "--concurrency=1",
                                                           "--without-mingle", "--without-gossip")],
            env=env, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT,
        )

    def ready_count():
        return output.read_text(errors="replace").count(" ready.")

    try:
        wait_for(lambda: ready_count() >= 1, 60, "the worker to start")
        worker_pid = int(subprocess.check_output(["pgrep", "-P", str(process.pid)]).split()[0])
        os.kill(worker_pid, signal.SIGKILL)
        wait_for(lambda: ready_count() >= 2, 60, "the worker to be started again")
        assert "exited with -9" in output.read_text(errors="replace")
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
    finally:
        stop(process)
    assert "Warm shutdown" in output.read_text(errors="replace")

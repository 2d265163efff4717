"""Real processes for the reliability tests: a private redis-server that a test may kill
and start again on the same port, and a Celery worker subprocess on the test database.
The shared Redis on 6379 is never touched."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

needs_redis_server = pytest.mark.skipif(
    not os.access(REDIS_SERVER, os.X_OK), reason="needs the redis-server binary (Debian package redis-server)"
)
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker subprocess must share the test database: set DATABASE_URL=postgres://…",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A throw-away redis-server without persistence: killing it loses every message it
    held, the worst case for the outbox."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as client:
                client.sendall(b"PING\r\n")
                return client.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """As a crash or an OOM kill would: no goodbye to the clients."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def subprocess_database_url() -> str:
    """The URL of the database this test run uses (test_<name>), for subprocesses."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def desk_environment(**variables) -> dict:
    """The environment of a desk process: production settings, the test database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "ANYMAIL_", "CELERY_", "DJANGO_")) and key not in ("DEBUG", "REDIS_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "SECRET_KEY": "test-worker-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": subprocess_database_url(),
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(variables)
    return env


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM (warm shutdown), then SIGKILL if it does not finish in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def celery_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "helpdesk", *arguments]

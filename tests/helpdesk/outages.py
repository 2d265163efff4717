"""Dependencies made unavailable for a test, on the real code paths."""

from contextlib import contextmanager
from unittest import mock

from django.db import connection


@contextmanager
def database_unreachable():
    """Every new cursor fails with the driver's own OperationalError, as when the server
    is down or restarting; Django wraps it as django.db.OperationalError on the real path."""
    error = connection.Database.OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connection, "create_cursor", side_effect=error):
        yield

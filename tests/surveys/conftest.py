import pytest


@pytest.fixture(autouse=True)
def _desk_address(desk_address):
    """The surveys' tests follow the links in the desk's emails (tests/conftest.py)."""

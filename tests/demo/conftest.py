from io import StringIO

import pytest
from django.core.management.color import no_style

from demo.content import load_catalog
from demo.loader import DemoLoader


@pytest.fixture
def staffed_loader(db):
    """The demo's loader with its catalog, organizations and staff loaded, and nothing else
    (test_load_demo runs the whole demo)."""
    loader = DemoLoader(stdout=StringIO(), style=no_style())
    loader.specialties, loader.modules = load_catalog()
    loader.organizations, loader.contacts = loader.load_organizations()
    loader.coordinator, loader.agents, loader.admin = loader.load_staff()
    return loader

"""What a person reads for each value of a breakdown; the roles that may read the desk's."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.roles import report_readers, sees_reports
from reports.labels import labels
from reports.models import Dimension
from tests.factories import AgentFactory, ModuleFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


def test_modules_organizations_and_agents_read_by_name_in_one_query_each():
    payroll = ModuleFactory(name="Nómina")
    acme = OrganizationFactory(name="Acme Industrial")
    eva = AgentFactory(first_name="Eva", last_name="Timbrado", username="eva")
    nameless = AgentFactory(first_name="", last_name="", username="soporte3")
    with CaptureQueriesContext(connection) as queries:
        modules = labels(Dimension.MODULE, [str(payroll.pk), "", "999999"])
    assert len(queries) == 1
    assert modules == {str(payroll.pk): "Nómina", "": "Sin módulo", "999999": "999999 (ya no existe)"}
    assert labels(Dimension.ORGANIZATION, [acme.pk, ""]) == {str(acme.pk): "Acme Industrial", "": "Sin organización"}
    assert labels(Dimension.AGENT, [eva.pk, nameless.pk, ""]) == {
        str(eva.pk): "Eva Timbrado", str(nameless.pk): "soporte3", "": "Sin asignar",
    }


@pytest.mark.parametrize(
    ("dimension", "value", "label"),
    [
        (Dimension.LEVEL, "1", "N1"),
        (Dimension.LEVEL, "3", "N3"),
        (Dimension.PRIORITY, "5", "Crítico"),
        (Dimension.PRIORITY, "1", "Muy bajo"),
        (Dimension.CHANNEL, "phone", "Teléfono"),
        (Dimension.CHANNEL, "monitoring", "Monitoreo"),
        (Dimension.KIND, "incident", "Incidente"),
        (Dimension.ALL, "", "Toda la mesa"),
    ],
)
def test_codes_read_as_their_spanish_names_without_a_query(dimension, value, label, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert labels(dimension, [value]) == {value: label}


def test_who_sees_the_desks_reports(coordinator, agent):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    inactive = AgentFactory(groups=coordinator.groups.all(), is_active=False)
    analyst = AgentFactory(username="analista")
    analyst.user_permissions.add(Permission.objects.get(codename="view_reports", content_type__app_label="reports"))
    assert [sees_reports(user) for user in (coordinator, superuser, analyst, agent, inactive)] == [True, True, True, False, False]
    assert set(report_readers()) == {coordinator, superuser, analyst}

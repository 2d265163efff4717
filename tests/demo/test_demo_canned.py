"""The demo's canned replies (demo/canned.py): global ones and some of the demo's modules,
written by its coordinator, with placeholders that exist, and loaded once."""


import pytest

from canned.models import CannedReply
from canned.placeholders import fill, values_for
from demo.canned import CANNED_REPLIES, load_canned_replies
from tests.factories import ContactFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loader(staffed_loader):
    loader = staffed_loader
    assert load_canned_replies(coordinator=loader.coordinator, modules=loader.modules)
    return loader


def test_the_demo_has_global_and_module_replies_by_its_coordinator(loader):
    replies = CannedReply.objects.select_related("module")
    assert replies.count() == len(CANNED_REPLIES)
    assert {reply.module.name for reply in replies if reply.module} == {"Facturación", "Nómina", "Correo"}
    assert sum(1 for reply in replies if reply.module is None) == 4
    assert {reply.created_by for reply in replies} == {loader.coordinator}


def test_a_payroll_ticket_is_offered_the_global_replies_and_the_payroll_one_filled(loader):
    ticket = TicketFactory(
        requester=ContactFactory(name="Rosa Elena Campos"), module=loader.modules["Nómina"], reference="INC-000777"
    )
    offered = {reply.title: reply for reply in CannedReply.objects.for_ticket(ticket)}
    assert set(offered) == {
        "Acuse de recibo",
        "Pedir una captura de pantalla del error",
        "Confirmar la solución",
        "Nota interna: escalar con lo ya revisado",
        "Recibo de nómina en el portal del empleado",
    }
    agent = loader.agents[0]
    filled = fill(offered["Recibo de nómina en el portal del empleado"].body, values_for(ticket, agent))
    assert filled.startswith("Hola Rosa:\n\nLos recibos de nómina timbrados")
    assert filled.endswith(f"Saludos,\n{agent.get_full_name()}")
    assert "{" not in filled


def test_loading_again_writes_no_other_reply(loader):
    assert not load_canned_replies(coordinator=loader.coordinator, modules=loader.modules)
    assert CannedReply.objects.count() == len(CANNED_REPLIES)

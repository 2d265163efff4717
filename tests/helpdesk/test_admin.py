"""The records the product writes itself are read-only in the admin, for everyone: one
mixin (helpdesk.admin.ReadOnlyAdminMixin) refuses adding, changing and deleting them."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from helpdesk.admin import ReadOnlyAdminMixin
from integrations.models import MonitoringAlert
from notifications.models import OutgoingEmail
from sla.models import SLAEvent
from surveys.models import SolutionConfirmation, Survey, SurveyAnswer
from tickets.admin import AttachmentInline, MessageInline, TicketChangeInline
from tickets.models import Ticket

READ_ONLY_MODELS = [OutgoingEmail, MonitoringAlert, SLAEvent, SolutionConfirmation, Survey, SurveyAnswer]
READ_ONLY_INLINES = [MessageInline, AttachmentInline, TicketChangeInline]


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    return request


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda model: model.__name__)
def test_a_record_the_product_writes_cannot_be_added_changed_or_deleted(model, superuser_request):
    model_admin = admin.site._registry[model]

    assert isinstance(model_admin, ReadOnlyAdminMixin)
    assert model_admin.has_add_permission(superuser_request) is False
    assert model_admin.has_change_permission(superuser_request) is False
    assert model_admin.has_delete_permission(superuser_request) is False


@pytest.mark.parametrize("inline", READ_ONLY_INLINES, ids=lambda inline: inline.__name__)
def test_a_tickets_history_inline_is_read_only(inline, superuser_request):
    model_inline = inline(Ticket, admin.site)

    assert isinstance(model_inline, ReadOnlyAdminMixin)
    assert model_inline.has_add_permission(superuser_request, None) is False
    assert model_inline.has_change_permission(superuser_request) is False
    assert model_inline.has_delete_permission(superuser_request) is False

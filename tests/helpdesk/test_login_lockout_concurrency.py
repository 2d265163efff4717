"""A burst of guesses for one name at once gets no more tries than one after another
(real threads, PostgreSQL)."""

from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from tests.races import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY

NAME_LIMIT = 5


def test_ten_guesses_at_once_for_one_name_get_five_password_checks(agent):
    def guess(index):
        def act(_prepared):
            client = Client(REMOTE_ADDR=f"203.0.113.{index + 1}")  # spread over addresses
            return client.post(reverse("login"), {"username": "ana", "password": f"intento{index}"})

        return (None, act)

    outcomes = race(*[guess(index) for index in range(10)])

    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    # Four wrong answers, the fifth wrong one answered with the pause, the rest refused
    # before their password was checked (and not counted).
    assert sorted(response.status_code for response in outcomes) == [200] * 4 + [429] * 6
    assert AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] == NAME_LIMIT

"""The survey's stars as the requester reads them (docs/process.md, «Satisfaction survey»):
in the email none is lit before the requester has chosen one, each names its rating, with
"Muy malo" under the first and "Excelente" under the fifth; the text part lists the
ratings; on the page they come in order, 1 to 5, with the same words under their ends."""

import re

import pytest

from surveys.answers import confirmation_accept
from surveys.models import SolutionConfirmation
from tests.links import open_link

from .helpers import emails, parse, solve, the_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_email(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        solve(ticket, agent)
        confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))
    (email,) = emails("survey_invitation", ticket)
    return email


def test_no_star_of_the_email_is_lit_before_the_requester_rates(survey_email):
    stars = list(parse(survey_email.body_html).all("a", class_="survey-star"))
    assert len(stars) == 5
    for star in stars:
        # Each an outlined star (☆, never the filled ★), all drawn alike.
        assert "☆" in star.text() and "★" not in star.text()
        assert not {"checked", "selected", "aria-checked", "aria-current", "aria-pressed"} & set(star.attrs)
    assert len({star.attrs["style"] for star in stars}) == 1
    assert "color:#52606d" in stars[0].attrs["style"]
    assert "★" not in survey_email.body_html and "&#9733;" not in survey_email.body_html


def test_the_emails_stars_name_their_rating_and_the_ends_of_the_scale(survey_email):
    stars = list(parse(survey_email.body_html).all("a", class_="survey-star"))
    # What the link says, as a screen reader names it and as it reads.
    assert [star.attrs["aria-label"] for star in stars] == [
        "1 estrella: muy mala",
        "2 estrellas: mala",
        "3 estrellas: regular",
        "4 estrellas: buena",
        "5 estrellas: excelente",
    ]
    assert [star.attrs["title"] for star in stars] == [star.attrs["aria-label"] for star in stars]
    assert [star.text() for star in stars] == ["☆ 1 Muy malo", "☆ 2", "☆ 3", "☆ 4", "☆ 5 Excelente"]
    # Each opens the survey with its own rating.
    assert [re.search(r"calificacion=(\d)", star.attrs["href"]).group(1) for star in stars] == list("12345")


def test_the_survey_emails_text_lists_each_rating_with_its_link(survey_email):
    text = survey_email.body_text
    assert "★" not in text
    assert "Abra el enlace de la calificación que elija, de 1 a 5 estrellas:" in text
    listed = re.findall(r"^(\d estrellas?: [a-z ]+)\n(https://\S+)$", text, flags=re.MULTILINE)
    assert [label for label, _ in listed] == [
        "1 estrella: muy mala",
        "2 estrellas: mala",
        "3 estrellas: regular",
        "4 estrellas: buena",
        "5 estrellas: excelente",
    ]
    assert [link.endswith(f"calificacion={n}") for n, (_, link) in enumerate(listed, start=1)] == [True] * 5


def test_the_survey_page_lists_its_stars_in_order_with_the_scales_words(survey_email, client):
    link = the_link(survey_email.body_text, "encuesta")
    page = parse(client.get(open_link(client, link)).content.decode())
    cells = list(page.find("div", class_="stars-row").all("span", class_="star-cell"))
    # 1 to 5 in the page's order, which the arrow keys follow; none chosen.
    radios = [cell.find("input") for cell in cells]
    assert [radio.attrs["value"] for radio in radios] == ["1", "2", "3", "4", "5"]
    assert not any("checked" in radio.attrs for radio in radios)
    scale = [cell.find("span", class_="star-scale") for cell in cells]
    assert [word.text() if word else None for word in scale] == ["Muy malo", None, None, None, "Excelente"]

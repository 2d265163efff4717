"""Closing the loop with the requester (docs/process.md, «Solution confirmation» and «Satisfaction survey»).

- `SolutionConfirmation`: one per solution delivered (a "round"). The requester accepts
  (→ Cerrado) or rejects (→ En proceso) it through signed links; with no answer by
  `due_at` the beat job closes the ticket. `due_at` is indexed for the pending rows only,
  so the job reads a small index range. Its `outcome` is a state machine (django-fsm-2,
  protected: only its transitions change it), and every change leaves a
  `ConfirmationChange` row, as every change of a ticket leaves a TicketChange.
- `Survey`: sent once when a ticket closes (by acceptance, by an agent or automatically);
  valid until `expires_at`.
- `SurveyAnswer`: the requester's one answer (unique per ticket and per survey): what the
  reports read (`Survey.objects.summary()`).
- `SurveySettings`: the wording and the survey's window, edited by coordinators in the
  admin. The confirmation window is the SLA plan's (`SLAPlan.confirmation_business_days`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import history_actor

# A rating at or below this alerts the coordinators.
LOW_RATING = 2
RATING_CHOICES = [
    (1, _("1 estrella: muy mala")),
    (2, _("2 estrellas: mala")),
    (3, _("3 estrellas: regular")),
    (4, _("4 estrellas: buena")),
    (5, _("5 estrellas: excelente")),
]
# The words at the ends of the scale, under the first and the fifth star (the page and the email).
RATING_SCALE = {1: _("Muy malo"), 5: _("Excelente")}


class SurveySettings(models.Model):
    """One row (pk 1): what the survey says and how long it stays open. Until a
    coordinator saves it, `load()` gives the defaults without writing anything."""

    SINGLETON_PK = 1

    survey_valid_days = models.PositiveSmallIntegerField(
        _("días para responder la encuesta"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Días naturales desde el cierre del ticket; después, el enlace de la encuesta ya no la recibe."),
    )
    intro = models.TextField(
        _("presentación de la encuesta"),
        default=_("¿Nos ayuda con su opinión? Le toma menos de un minuto."),
        help_text=_("Aparece en el correo de la encuesta y al inicio de su página."),
    )
    rating_question = models.CharField(
        _("pregunta de la calificación"), max_length=200, default=_("¿Cómo califica la atención que recibió?")
    )
    solved_question = models.CharField(
        _("pregunta de la solución"), max_length=200, default=_("¿Se resolvió su problema?")
    )
    comment_question = models.CharField(
        _("invitación al comentario"), max_length=200, default=_("¿Quiere contarnos algo más? (opcional)")
    )
    thanks_message = models.TextField(
        _("agradecimiento"),
        default=_("Gracias por su respuesta. La leemos para mejorar la atención."),
        help_text=_("Se muestra después de responder la encuesta."),
    )

    class Meta:
        verbose_name = _("configuración de la encuesta")
        verbose_name_plural = _("configuración de la encuesta")

    def __str__(self):
        return str(_("Configuración de la encuesta"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> SurveySettings:
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()


class SolutionConfirmationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(outcome=SolutionConfirmation.Outcome.PENDING)

    def due(self, now: datetime.datetime):
        """Pending confirmations whose window has ended: what the beat job closes, oldest
        first (a range of solution_confirmation_due_idx)."""
        return self.pending().filter(due_at__lte=now).order_by("due_at", "pk")

    def answered(self):
        """The requester's own answers (accepted or rejected), for the ticket's timeline."""
        return self.filter(outcome__in=[SolutionConfirmation.Outcome.ACCEPTED, SolutionConfirmation.Outcome.REJECTED])


class SolutionConfirmation(ConcurrentTransitionMixin, models.Model):
    """One solution delivered to the requester and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Esperando la respuesta del solicitante")
        ACCEPTED = "accepted", _("El solicitante confirmó la solución")
        REJECTED = "rejected", _("El solicitante indicó que el problema sigue")
        EXPIRED = "expired", _("Cerrado sin respuesta del solicitante")
        CLOSED_BY_DESK = "closed_by_desk", _("La mesa cerró el ticket")
        SUPERSEDED = "superseded", _("Sin efecto: el ticket cambió de estado por otra vía")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="solution_confirmations",
        verbose_name=_("ticket"),
    )
    solved_at = models.DateTimeField(_("solución enviada"))
    business_days = models.PositiveSmallIntegerField(_("días hábiles para responder"))
    due_at = models.DateTimeField(_("se cierra sin respuesta el"))
    outcome = FSMField(_("resultado"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING, protected=True)
    answered_at = models.DateTimeField(_("respondida"), null=True, blank=True)
    comment = models.TextField(_("comentario del solicitante"), blank=True)

    objects = SolutionConfirmationQuerySet.as_manager()

    class Meta:
        verbose_name = _("confirmación de solución")
        verbose_name_plural = _("confirmaciones de solución")
        ordering = ["-solved_at", "-pk"]
        indexes = [
            models.Index(fields=["due_at"], name="solution_confirmation_due_idx", condition=Q(outcome="pending")),
        ]
        constraints = [
            # A ticket waits for one answer at a time: a new solution supersedes the previous one.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(outcome="pending"), name="solution_confirmation_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} · {self.get_outcome_display()}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING

    # Transitions: every outcome but pending is final. They do no I/O; the services
    # (surveys.records, surveys.answers) lock the row, run one, save and write its history.

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.ACCEPTED)
    def accept(self, *, at: datetime.datetime):
        """The requester confirmed the solution."""
        self.answered_at = at

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.REJECTED)
    def reject(self, *, at: datetime.datetime, comment: str):
        """The requester said the problem goes on, and what still fails."""
        self.answered_at = at
        self.comment = comment

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.EXPIRED)
    def expire(self):
        """The window ended without an answer: the ticket closes automatically."""

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.CLOSED_BY_DESK)
    def close_by_desk(self):
        """An agent closed the ticket (recording the requester's acceptance) first."""

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.SUPERSEDED)
    def supersede(self):
        """The ticket left this solution another way (a new solution, reopened, cancelled)."""


class ConfirmationChange(models.Model):
    """One change of a confirmation's outcome: who, when, from what to what, and why.
    Written explicitly by the services, never by signals, as the ticket's history."""

    confirmation = models.ForeignKey(
        SolutionConfirmation, on_delete=models.CASCADE, related_name="changes", verbose_name=_("confirmación")
    )
    at = models.DateTimeField(_("fecha"), default=timezone.now)
    actor = history_actor("confirmation_changes")
    old_outcome = models.CharField(_("antes"), max_length=16, choices=SolutionConfirmation.Outcome.choices)
    new_outcome = models.CharField(_("después"), max_length=16, choices=SolutionConfirmation.Outcome.choices)
    note = models.TextField(_("motivo o comentario"), blank=True)

    class Meta:
        verbose_name = _("cambio de la confirmación")
        verbose_name_plural = _("historial de la confirmación")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["confirmation", "at"], name="confirmation_change_at_idx")]

    def __str__(self):
        return f"{self.get_old_outcome_display()} → {self.get_new_outcome_display()}"


@dataclass(frozen=True)
class SurveySummary:
    """What the reports show of a set of surveys."""

    sent: int
    answered: int
    mean_rating: float | None
    solved: int
    low: int

    @property
    def answer_rate(self) -> float | None:
        """Answered / sent, from 0 to 1; None when none was sent."""
        return self.answered / self.sent if self.sent else None

    @property
    def solved_rate(self) -> float | None:
        """Of the answers, the share that says the problem was solved."""
        return self.solved / self.answered if self.answered else None


class SurveyQuerySet(models.QuerySet):
    def sent_between(self, start: datetime.datetime, end: datetime.datetime):
        return self.filter(sent_at__gte=start, sent_at__lt=end)

    def summary(self) -> SurveySummary:
        """Sent, answered, mean rating, "solved" answers and low ratings, in one query."""
        figures = self.aggregate(
            sent=Count("pk"),
            answered=Count("answer"),
            mean_rating=Avg("answer__rating"),
            solved=Count("answer", filter=Q(answer__solved=True)),
            low=Count("answer", filter=Q(answer__rating__lte=LOW_RATING)),
        )
        return SurveySummary(**figures)


class Survey(models.Model):
    """The satisfaction survey sent when the ticket closed."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="survey", verbose_name=_("ticket")
    )
    sent_at = models.DateTimeField(_("enviada"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("vence"))
    closed_automatically = models.BooleanField(
        _("cierre automático"), default=False, help_text=_("El ticket se cerró sin respuesta del solicitante.")
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("encuesta de satisfacción")
        verbose_name_plural = _("encuestas de satisfacción")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return str(self.ticket)

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def solution_confirmed(self) -> bool:
        """The requester closed the ticket with "Sí, quedó resuelto": the survey does not
        ask "¿Se resolvió?" again, and its answer records that it was solved
        (docs/process.md, «Satisfaction survey»). A closed ticket has at most one accepted
        round: accepting is what closed it."""
        return SolutionConfirmation.objects.filter(
            ticket_id=self.ticket_id, outcome=SolutionConfirmation.Outcome.ACCEPTED
        ).exists()


class SurveyAnswerQuerySet(models.QuerySet):
    def mean_rating(self) -> float | None:
        return self.aggregate(mean=Avg("rating"))["mean"]


class SurveyAnswer(models.Model):
    """The requester's answer: one per ticket, ever (both one-to-one columns are unique)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="answer", verbose_name=_("encuesta"))
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="survey_answer", verbose_name=_("ticket")
    )
    rating = models.PositiveSmallIntegerField(
        _("calificación"), choices=RATING_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    solved = models.BooleanField(_("se resolvió el problema"))
    comment = models.TextField(_("comentario"), blank=True)
    answered_at = models.DateTimeField(_("respondida"), default=timezone.now, db_index=True)

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("respuesta de encuesta")
        verbose_name_plural = _("respuestas de encuestas")
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="survey_answer_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.ticket} · {self.rating}/5"

    @property
    def is_low(self) -> bool:
        return self.rating <= LOW_RATING

    @property
    def stars(self) -> str:
        return "★" * self.rating + "☆" * (5 - self.rating)

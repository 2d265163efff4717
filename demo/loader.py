"""Loading the demo desk (`manage.py load_demo`): the content of demo/content.py as a
Mexican IT help desk with two months of history.

Idempotent: catalog, organizations, contacts and users are found by natural keys
(get_or_create); the ~200 demo tickets are created only when the demo organizations
have none yet. Tickets go through tickets.services, each step travelling in time
(time-machine, the optional `demo` extra) to a business-hours moment of the past ~60
days, so that ages, messages, history rows, deadlines and confirmations are the ones
the services themselves write; the requesters accept or reject the solutions through
the confirmation's own services (surveys.answers), and about 60 % of the closed tickets'
requesters then answer their survey, within its window. Every business day of this month
and last month has tickets created and solved, so that the reports have something to show
each day; the reports are rebuilt at the end of the load. No email is queued. A fixed
random seed makes the data the same on every database (for a given day).

The knowledge base (load_articles): the articles of demo/articles.py, written by the
agents and published by the coordinator across the history's weeks through
knowledge.services, then read, voted on, suggested to web reports and said to have
solved problems; three closed tickets' solutions become articles. Only when none of the
demo's articles exists yet. The canned replies of demo/canned.py, likewise.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from catalog.models import Module
from customers.models import Contact, Organization, SupportPolicy
from demo.articles import ARCHIVED, ARTICLES, PUBLISHED
from demo.canned import load_canned_replies
from demo.content import (
    ADMIN,
    AGENTS,
    COORDINATOR,
    CUSTOMERS,
    DEMO_PASSWORD,
    ESCALATE_N2,
    ESCALATE_N3,
    EXPIRED,
    FIRST_REPLIES,
    FOLLOW_UPS,
    GENERIC_ANSWER,
    GENERIC_QUESTION,
    IN_FORCE,
    MONITORING_TEMPLATES,
    NEW_PEOPLE,
    NO_POLICY,
    OPEN_NOTES,
    ORGANIZATIONS,
    ORPHAN_CONTACT,
    OTHER_CANCEL_NOTES,
    PLAN_CANCELLED,
    PLAN_EXPIRED_AFTER,
    PLAN_EXPIRED_BEFORE,
    PLAN_IN_FORCE,
    PLAN_MONITORING,
    PLAN_NO_POLICY,
    PLAN_UNAUTHORIZED,
    PROGRESS_REPLIES,
    REOPEN_MESSAGES,
    SECOND_SOLUTION,
    STAFF_EMAIL_DOMAIN,
    SURVEY_ANSWER_SHARE,
    SURVEY_COMMENT_SHARE,
    SURVEY_COMMENTS,
    SURVEY_RATING_WEIGHTS,
    SURVEY_SOLVED_SHARE,
    TEMPLATES,
    THANKS,
    VENDOR_BACK_NOTES,
    WITHDRAW_MESSAGES,
    WORK_NOTES,
    load_catalog,
)
from knowledge import services as knowledge
from knowledge.models import Article, ArticleSuggestion, ArticleVote, Deflection
from reports.refresh import reports_rebuild
from sla.services import sla_recompute
from surveys.answers import confirmation_accept, confirmation_reject, survey_answer
from surveys.models import Survey
from surveys.records import pending_confirmation
from tickets import services
from tickets.models import DEFAULT_PRIORITY_MATRIX, Message, Ticket, TicketChange

SEED = 20250301
HISTORY_DAYS = 60
DAY_START = datetime.time(9, 0)
DAY_MINUTES = 9 * 60  # Mon–Fri 09:00–18:00, the default calendar (docs/process.md, «SLA»)
CONFIRMATION_WINDOW = 3 * DAY_MINUTES  # a solved ticket closes by itself after 3 business days


# Business-hours clock -------------------------------------------------------------


class BusinessClock:
    """Business minutes of the past days (Mon–Fri 09:00–18:00, Mexican holidays) as
    integers: 0 is 09:00 of the first business day, `now` the last minute elapsed."""

    def __init__(self, now: datetime.datetime, tz: ZoneInfo, days: int):
        local = timezone.localtime(now, tz)
        today = local.date()
        first = today - datetime.timedelta(days=days)
        mx_holidays = holidays.country_holidays("MX", years=range(first.year, today.year + 1))
        self.tz = tz
        self.days = [
            day
            for day in (first + datetime.timedelta(days=n) for n in range(days + 1))
            if day.weekday() < 5 and day not in mx_holidays
        ]
        elapsed_today = int((local - datetime.datetime.combine(today, DAY_START, tz)).total_seconds() // 60) - 1
        if self.days and self.days[-1] == today and elapsed_today <= 0:
            self.days.pop()  # before 09:00: today has no past business minutes yet
        if self.days and self.days[-1] == today:
            self.now = (len(self.days) - 1) * DAY_MINUTES + min(elapsed_today, DAY_MINUTES)
        else:
            self.now = len(self.days) * DAY_MINUTES

    def at(self, index: int) -> datetime.datetime:
        index = max(0, min(index, self.now - 1))
        day = self.days[index // DAY_MINUTES]
        start = datetime.datetime.combine(day, DAY_START, self.tz)
        return start + datetime.timedelta(minutes=index % DAY_MINUTES)

    def first_index_after(self, date: datetime.date) -> int:
        """The first business minute of a day later than `date`."""
        return sum(1 for day in self.days if day <= date) * DAY_MINUTES


# Plans ----------------------------------------------------------------------------


@dataclass
class SurveyReply:
    """What a requester answers to the survey of their closed ticket, and how long after
    the close (in minutes)."""

    rating: int
    solved: bool
    comment: str
    delay: int


@dataclass
class Plan:
    """One ticket's story: who reports what, and the steps (business minutes apart)."""

    contact: Contact
    template: dict
    module: Module | None
    kind: str
    channel: str
    urgency: int
    context: dict
    module_name: str = ""
    registered_by: User | None = None
    fix_kind: bool = False  # reported as an incident, reclassified by the agent as a request
    duplicate_text: str = ""
    slow_first_response: bool = False
    steps: list = field(default_factory=list)
    start: int = 0
    ticket: Ticket | None = None
    answer: SurveyReply | None = None  # the requester's answer to the survey, if they give one

    @property
    def duration(self) -> int:
        return sum(gap for gap, _action, _kwargs in self.steps)

    def add(self, gap: int, action: str, **kwargs) -> None:
        self.steps.append((0 if action == "open" else max(1, gap), action, kwargs))


class DemoLoader:
    """Loads the demo into the database, writing its progress and logins to `stdout`
    (a management command's output, styled by `style`)."""

    def __init__(self, *, seed: int | None = None, stdout, style):
        self.stdout, self.style = stdout, style
        seed = SEED if seed is None else seed
        # Three generators: `rng` decides the stories (the same on any day), `time_rng` places
        # them on the calendar, whose length depends on today, and `survey_rng` decides who
        # answers the survey and how (a generator of its own, so that the answers leave the
        # stories and their calendar as they are).
        self.rng = random.Random(seed)
        self.time_rng = random.Random(seed + 1)
        self.survey_rng = random.Random(seed + 2)
        self.tz = ZoneInfo(settings.TIME_ZONE)

    def load(self) -> None:
        started = time.monotonic()
        with transaction.atomic():
            self.specialties, self.modules = load_catalog()
            self.organizations, self.contacts = self.load_organizations()
            self.coordinator, self.agents, self.admin = self.load_staff()
            demo_orgs = list(self.organizations.values())
            if Ticket.objects.filter(organization__in=demo_orgs).exists():
                created_tickets = False
            else:
                self.load_tickets()
                created_tickets = True
            created_articles = self.load_articles()
            load_canned_replies(coordinator=self.coordinator, modules=self.modules)
            # The services gave each ticket its deadlines at the travelled times; record the
            # warnings and breaches already behind them, without emails, as beat would have.
            sla_recompute(tickets=Ticket.objects.filter(organization__in=demo_orgs).not_final())
            # The reports from everything just written (sla_recompute saves no updated_at, so
            # a refresh would not see its verdicts): `make run` opens on current figures.
            reports_rebuild()
        self.report(created_tickets, created_articles, time.monotonic() - started)

    # Catalog, customers, staff ------------------------------------------------------

    def load_organizations(self):
        today = timezone.localdate()
        organizations, contacts = {}, {}
        for data in ORGANIZATIONS:
            organization, _created = Organization.objects.get_or_create(
                name=data["name"],
                defaults={
                    "tax_id": data["tax_id"],
                    "email_domain": data["domain"],
                    "phone": data["phone"],
                    "notes": data["notes"],
                },
            )
            organizations[data["key"]] = organization
            policy = data["policy"]
            if policy:
                # Dates follow today, so that "in force" and "expired" stay true on later runs.
                SupportPolicy.objects.update_or_create(
                    organization=organization,
                    number=policy["number"],
                    defaults={
                        "name": policy["name"],
                        "starts_on": today + datetime.timedelta(days=policy["starts"]),
                        "ends_on": today + datetime.timedelta(days=policy["ends"]),
                        "is_active": True,
                    },
                )
            contacts[data["key"]] = []
            for name, user_part, job_title, authorized, usual_modules in data["contacts"]:
                contact = self.get_contact(
                    email=f"{user_part}@{data['domain']}",
                    name=name,
                    organization=organization,
                    job_title=job_title,
                    authorized=authorized,
                    phone=f"{data['phone']} ext. {100 + len(contacts[data['key']]) * 7}" if authorized else "",
                )
                contact.usual_modules = usual_modules
                contacts[data["key"]].append(contact)
        name, email, usual_modules = ORPHAN_CONTACT
        orphan = self.get_contact(email=email, name=name, organization=None, job_title="", authorized=False, phone="")
        orphan.usual_modules = usual_modules
        contacts["orphan"] = [orphan]
        return organizations, contacts

    @staticmethod
    def get_contact(*, email, name, organization, job_title, authorized, phone) -> Contact:
        contact = Contact.objects.by_email(email).first()
        if contact is None:
            contact = Contact.objects.create(
                email=email,
                name=name,
                organization=organization,
                job_title=job_title,
                is_authorized=authorized,
                phone=phone,
            )
        return contact

    def load_staff(self):
        try:
            agent_group = Group.objects.get(name=AGENT_GROUP)
            coordinator_group = Group.objects.get(name=COORDINATOR_GROUP)
        except Group.DoesNotExist:
            raise CommandError("Faltan los grupos de roles: ejecute primero «python manage.py migrate».") from None

        username, first, last = COORDINATOR
        coordinator = self.get_user(username, first, last, group=coordinator_group)
        profile, _created = AgentProfile.objects.get_or_create(user=coordinator, defaults={"level": SupportLevel.N3})

        agents = []
        for username, first, last, level, specialty_names in AGENTS:
            agent = self.get_user(username, first, last, group=agent_group)
            profile, created = AgentProfile.objects.get_or_create(user=agent, defaults={"level": level})
            if created:
                profile.specialties.set([self.specialties[name] for name in specialty_names])
            agent.demo_level = profile.level
            agent.demo_specialties = set(profile.specialties.values_list("pk", flat=True))
            agents.append(agent)

        username, first, last = ADMIN
        admin = self.get_user(username, first, last, superuser=True)
        return coordinator, agents, admin

    @staticmethod
    def get_user(username, first_name, last_name, *, group=None, superuser=False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{STAFF_EMAIL_DOMAIN}",
                "is_staff": True,
                "is_superuser": superuser,
            },
        )
        if created:
            # Only on creation: a demo user who changed the password keeps it.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if group is not None:
            user.groups.add(group)
        return user

    # Tickets ---------------------------------------------------------------------------

    def load_tickets(self) -> None:
        self.loaded_at = timezone.now()  # the real instant: no answer after it
        self.clock = BusinessClock(self.loaded_at, self.tz, HISTORY_DAYS)
        if self.clock.now < 20 * DAY_MINUTES:
            raise CommandError("El calendario de días hábiles es demasiado corto para generar la historia.")
        plans = self.plan_tickets()
        for plan in plans:  # in the order planned, so that the answers do not depend on today
            plan.answer = self.plan_answer(plan)
        self.cover_ratings(plans)
        plans.sort(key=lambda plan: plan.start)
        self.last_opened = None
        for plan in plans:
            self.run(plan)

    def plan_tickets(self) -> list[Plan]:
        rng = self.rng
        now = self.clock.now
        plans: list[Plan] = []

        def place_recent(plan, oldest, newest=10):
            """The last step happens between `oldest` and `newest` business minutes ago."""
            end = now - self.time_rng.randint(newest, max(newest, oldest))
            plan.start = max(0, end - plan.duration)

        def place_anywhere(plan, latest=None):
            latest = now - plan.duration - 10 if latest is None else min(latest, now - plan.duration - 10)
            plan.start = self.time_rng.randint(0, max(0, latest))

        # The organization with a policy in force: every state.
        served = [c for c in self.contacts[IN_FORCE] if c.is_authorized and c.usual_modules]
        monitor = next(c for c in self.contacts[IN_FORCE] if not c.usual_modules)
        windows = {
            Ticket.State.OPEN: 1500,
            Ticket.State.IN_PROGRESS: 1800,
            Ticket.State.PENDING_USER: 1600,
            Ticket.State.PENDING_VENDOR: 2500,
            Ticket.State.SOLVED: CONFIRMATION_WINDOW - 200,
        }
        closed_plans = []
        for state, count in PLAN_IN_FORCE.items():
            for _ in range(count):
                plan = self.new_plan(served, vendor=state == Ticket.State.PENDING_VENDOR)
                self.lifecycle(plan, state)
                if state == Ticket.State.CLOSED:
                    place_anywhere(plan)
                    closed_plans.append(plan)
                else:
                    place_recent(plan, windows[state])
                plans.append(plan)
        for state, count in PLAN_MONITORING.items():
            for _ in range(count):
                plan = self.new_plan([monitor], monitoring=True)
                self.lifecycle(plan, state)
                if state == Ticket.State.CLOSED:
                    place_anywhere(plan)
                else:
                    place_recent(plan, 400)
                plans.append(plan)

        # Cancelled by people: withdrawn by the requester, other reasons, duplicates.
        for _ in range(PLAN_CANCELLED["withdrawn"]):
            plan = self.new_plan(served)
            self.withdrawn(plan)
            place_anywhere(plan)
            plans.append(plan)
        for _ in range(PLAN_CANCELLED["other"]):
            plan = self.new_plan(served)
            plan.add(rng.randint(20, 240), "cancel", by=self.coordinator, reason=Ticket.CancelReason.OTHER,
                     note=rng.choice(OTHER_CANCEL_NOTES))
            place_anywhere(plan)
            plans.append(plan)
        originals = self.time_rng.sample([p for p in closed_plans if p.start < now - 2 * DAY_MINUTES],
                               PLAN_CANCELLED["duplicate"])
        for original in originals:
            plans.append(self.duplicate(original, served))

        # The organization whose policy expired: served before, cancelled at intake after.
        expired_org = self.organizations[EXPIRED]
        expiry = self.clock.first_index_after(expired_org.policies.order_by("-ends_on").first().ends_on)
        expired_served = [c for c in self.contacts[EXPIRED] if c.is_authorized]
        for _ in range(PLAN_EXPIRED_BEFORE):
            plan = self.new_plan(expired_served)
            self.lifecycle(plan, Ticket.State.CLOSED)
            place_anywhere(plan, latest=expiry - 1)  # admitted: opened while the policy was in force
            plans.append(plan)
        for _ in range(PLAN_EXPIRED_AFTER):
            plan = self.new_plan(expired_served)
            plan.start = self.time_rng.randint(expiry, now - 10)
            plans.append(plan)

        # No policy at all, and unauthorized senders: cancelled at intake.
        for _ in range(PLAN_NO_POLICY):
            plan = self.new_plan([c for c in self.contacts[NO_POLICY] if c.is_authorized])
            place_anywhere(plan)
            plans.append(plan)
        unauthorized = [c for key in (IN_FORCE, EXPIRED, NO_POLICY, "orphan") for c in self.contacts[key]
                        if not c.is_authorized]
        for n in range(PLAN_UNAUTHORIZED):
            plan = self.new_plan([unauthorized[n % len(unauthorized)]])
            place_anywhere(plan)
            plans.append(plan)
        plans += self.cover_report_days(plans, served)
        return plans

    def cover_report_days(self, plans: list[Plan], contacts) -> list[Plan]:
        """More plans for the business days of this month and last month (today aside) on
        which the random calendar created no ticket, or solved none, so that the reports'
        daily figures of those periods have something every working day."""
        clock, now = self.clock, self.clock.now
        today = timezone.localtime(self.loaded_at, self.tz).date()
        since = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)

        def day_of(index: int) -> datetime.date:
            return clock.days[max(0, min(index, now - 1)) // DAY_MINUTES]

        def steps_of(plan: Plan) -> list[tuple[str, int]]:
            index, steps = plan.start, []
            for gap, action, _kwargs in plan.steps:
                index += gap
                steps.append((action, index))
            return steps

        def last_solve(plan: Plan) -> int | None:
            """Business minutes from the plan's start to its last solution (the one that counts)."""
            solves = [index for action, index in steps_of(plan) if action == "solve"]
            return solves[-1] - plan.start if solves else None

        opened, solved = set(), set()
        for plan in plans:
            opened.add(day_of(plan.start))
            if last_solve(plan) is not None:
                solved.add(day_of(plan.start + last_solve(plan)))
        extra: list[Plan] = []
        for n, day in enumerate(clock.days):
            if day < since or day >= today:
                continue
            day_start = n * DAY_MINUTES
            if day not in opened:
                plan = self.new_plan(contacts)
                self.lifecycle(plan, Ticket.State.CLOSED)
                plan.start = day_start + self.time_rng.randint(10, 240)
                if plan.start + plan.duration >= now - 10:  # too recent to be closed by now
                    plan = self.new_plan(contacts)
                    self.lifecycle(plan, Ticket.State.IN_PROGRESS)
                    plan.start = day_start + self.time_rng.randint(10, 240)
                extra.append(plan)
                opened.add(day)
                if last_solve(plan) is not None:
                    solved.add(day_of(plan.start + last_solve(plan)))
            if day not in solved:
                # Closed after the confirmation window, unless that is still to come.
                recent = day_start + DAY_MINUTES + CONFIRMATION_WINDOW + 100 >= now
                plan = self.new_plan(contacts)
                self.lifecycle(plan, Ticket.State.SOLVED if recent else Ticket.State.CLOSED)
                plan.start = day_start + self.time_rng.randint(30, DAY_MINUTES - 60) - last_solve(plan)
                if plan.start < 0:
                    continue  # the history's first days: the solution would fall later
                extra.append(plan)
                solved.add(day)
                opened.add(day_of(plan.start))
        return extra

    def new_plan(self, contacts, *, vendor=False, monitoring=False) -> Plan:
        rng = self.rng
        contact = rng.choice(contacts)
        if monitoring:
            module_name = rng.choice(sorted(MONITORING_TEMPLATES))
            template = rng.choice(MONITORING_TEMPLATES[module_name])
            channel = Ticket.Channel.MONITORING
        else:
            candidates = [
                (name, t) for name in (contact.usual_modules or sorted(TEMPLATES)) for t in TEMPLATES[name]
                if not vendor or "v" in t
            ]
            if not candidates:  # nobody of theirs reports vendor cases: any module
                candidates = [(name, t) for name in sorted(TEMPLATES) for t in TEMPLATES[name] if "v" in t]
            module_name, template = rng.choice(candidates)
            channel = rng.choices(
                [Ticket.Channel.WEB, Ticket.Channel.EMAIL, Ticket.Channel.PHONE], weights=[45, 35, 20]
            )[0]
        organization = contact.organization
        places = next((o["places"] for o in ORGANIZATIONS if organization and o["name"] == organization.name),
                      ["la oficina"])
        context = {
            "lugar": rng.choice(places),
            "caja": rng.randint(1, 6),
            "hora": f"{rng.randint(8, 12)}:{rng.choice(['00', '15', '20', '30', '45'])}",
            "folio": f"A-{rng.randint(10000, 99999)}",
            "cliente": rng.choice(CUSTOMERS),
            "nuevo": rng.choice(NEW_PEOPLE),
            "dominio": organization.email_domain if organization else "example.com",
            "nombre": contact.name.split()[0],
        }
        kind = Ticket.Kind.REQUEST if template.get("request") else Ticket.Kind.INCIDENT
        urgency = template["u"]
        if channel != Ticket.Channel.MONITORING and rng.random() < 0.25:
            urgency = min(3, max(1, urgency + rng.choice([-1, 1])))
        module = self.modules[module_name]
        if channel == Ticket.Channel.WEB and rng.random() < 0.1:
            module = None  # "no sé": the agent classifies it
        plan = Plan(contact=contact, template=template, module=module, kind=kind, channel=channel,
                    urgency=urgency, context=context)
        plan.module_name = module_name
        if channel == Ticket.Channel.PHONE:
            plan.registered_by = rng.choice([a for a in self.agents if a.demo_level == SupportLevel.N1])
        if kind == Ticket.Kind.REQUEST and channel == Ticket.Channel.WEB and rng.random() < 0.3:
            plan.kind = Ticket.Kind.INCIDENT  # reported as an incident; the agent reclassifies it
            plan.fix_kind = True
        plan.add(0, "open")
        return plan

    def text(self, plan: Plan, value: str, **extra) -> str:
        return value.format(**plan.context, **extra)

    def agent_for(self, plan: Plan, level: int, exclude=None) -> User:
        specialty = self.modules[plan.module_name].specialty_id
        candidates = [
            a for a in self.agents if specialty in a.demo_specialties and a.demo_level == level and a != exclude
        ]
        if not candidates:
            candidates = [a for a in self.agents if specialty in a.demo_specialties and a.demo_level >= level
                          and a != exclude] or [a for a in self.agents if a != exclude]
        return self.rng.choice(candidates)

    def lifecycle(self, plan: Plan, target: str) -> None:
        """The steps of an admitted ticket up to `target`."""
        rng, tpl, State = self.rng, plan.template, Ticket.State
        monitoring = plan.channel == Ticket.Channel.MONITORING
        request = bool(tpl.get("request"))
        impact = min(3, max(1, tpl["i"] + (rng.choice([-1, 1]) if rng.random() < 0.2 else 0)))
        priority = DEFAULT_PRIORITY_MATRIX[(plan.urgency, impact)]  # only to plan realistic delays

        if target == State.OPEN:
            if rng.random() < 0.4:
                plan.add(rng.randint(5, 120), "classify", by=self.coordinator, impact=impact,
                         note="Evaluación inicial del coordinador.")
            if not monitoring and rng.random() < 0.3:
                plan.add(rng.randint(30, 240), "requester", body=rng.choice(FOLLOW_UPS))
            if rng.random() < 0.2:
                plan.add(rng.randint(5, 60), "note", by=self.coordinator, body=rng.choice(OPEN_NOTES))
            return

        # First response: taken by an agent or assigned by the coordinator.
        low, high = {5: (5, 45), 4: (10, 100), 3: (20, 220), 2: (30, 440), 1: (40, 460)}[priority]
        first_gap = rng.randint(low, high)
        plan.slow_first_response = rng.random() < 0.1
        if plan.slow_first_response:
            first_gap *= 3  # a few breach the SLA
        agent = self.agent_for(plan, SupportLevel.N1)
        if rng.random() < 0.5:
            plan.add(first_gap, "take", agent=agent)
        else:
            plan.add(first_gap, "assign", by=self.coordinator, agent=agent)
        classify = {"impact": impact}
        if plan.module is None:
            classify["module"] = self.modules[plan.module_name]
        if plan.fix_kind:
            classify["kind"] = Ticket.Kind.REQUEST
        if rng.random() < 0.1 and not monitoring:
            classify["urgency"] = min(3, max(1, plan.urgency + rng.choice([-1, 1])))
        plan.add(rng.randint(2, 15), "classify", by=agent, note="Evaluación del agente.", **classify)
        if not monitoring:
            plan.add(rng.randint(3, 40), "reply", by=agent,
                     body=self.text(plan, rng.choice(FIRST_REPLIES), agente=agent.get_full_name()))
        if rng.random() < 0.5:
            plan.add(rng.randint(10, 120), "note", by=agent, body=tpl.get("n") or rng.choice(WORK_NOTES))

        # Escalation (not a state) and the occasional change of hands.
        if rng.random() < (0.05 if request else 0.25):
            higher = self.agent_for(plan, SupportLevel.N2, exclude=agent)
            plan.add(rng.randint(30, 400), "escalate", by=agent, reason=rng.choice(ESCALATE_N2), agent=higher)
            agent = higher
            if rng.random() < 0.3:
                top = self.agent_for(plan, SupportLevel.N3, exclude=agent)
                plan.add(rng.randint(60, 600), "escalate", by=agent, reason=rng.choice(ESCALATE_N3), agent=top)
                agent = top
        elif rng.random() < 0.08:
            other = self.agent_for(plan, SupportLevel.N1, exclude=agent)
            if other.demo_level == SupportLevel.N1:
                plan.add(rng.randint(30, 300), "reassign", by=self.coordinator, agent=other)
                agent = other

        if target == State.IN_PROGRESS:
            if not monitoring and rng.random() < 0.4:
                plan.add(rng.randint(30, 300), "requester", body=rng.choice(FOLLOW_UPS))
                plan.add(rng.randint(10, 90), "reply", by=agent, body=self.text(plan, rng.choice(PROGRESS_REPLIES)))
            return

        if "v" in tpl:
            vendor_name, message, prefix = tpl["v"]
            plan.add(rng.randint(20, 240), "wait_vendor", by=agent, message=message, vendor_name=vendor_name,
                     vendor_reference=f"{prefix}{rng.randint(100000, 999999)}")
            if target == State.PENDING_VENDOR:
                if rng.random() < 0.5:
                    plan.add(rng.randint(60, 600), "note", by=agent,
                             body="Seguimiento con el proveedor: sigue en revisión, sin fecha compromiso.")
                return
            plan.add(rng.randint(200, 2000), "note", by=agent, body=rng.choice(VENDOR_BACK_NOTES))
            plan.add(rng.randint(1, 10), "resume", by=agent)

        if not monitoring and (target == State.PENDING_USER or rng.random() < (0.6 if "q" in tpl else 0.15)):
            question = self.text(plan, tpl.get("q", GENERIC_QUESTION))
            plan.add(rng.randint(20, 300), "wait_user", by=agent, message=question)
            if target == State.PENDING_USER:
                return
            plan.add(rng.randint(20, 900), "requester", body=self.text(plan, tpl.get("a", GENERIC_ANSWER)))

        work = {5: (30, 200), 4: (60, 420), 3: (120, 1200), 2: (200, 2400), 1: (300, 2600)}[priority]
        plan.add(rng.randint(*work), "solve", by=agent, solution=self.text(plan, tpl["sol"]), code=tpl["code"])
        if target == State.SOLVED:
            return

        if not monitoring and not request and rng.random() < 0.12:
            plan.add(rng.randint(60, 900), "reopen", message=rng.choice(REOPEN_MESSAGES))
            plan.add(rng.randint(10, 120), "reply", by=agent, body=self.text(plan, rng.choice(PROGRESS_REPLIES)))
            plan.add(rng.randint(60, 600), "solve", by=agent, solution=SECOND_SOLUTION + self.text(plan, tpl["sol"]),
                     code=tpl["code"])
        if not monitoring and rng.random() < 0.55:
            if rng.random() < 0.7:
                plan.add(rng.randint(20, 900), "requester", body=rng.choice(THANKS))
            plan.add(rng.randint(1, 30), "close", automatic=False)
        else:
            plan.add(CONFIRMATION_WINDOW + rng.randint(1, 60), "close", automatic=True)

    def plan_answer(self, plan: Plan) -> SurveyReply | None:
        """Whether the requester of a closed ticket answers its survey and how: most rate it
        4 or 5; a slow first response, a close without their answer or a solution that did
        not hold lowers the rating, and the low ratings say why."""
        if not plan.steps or plan.steps[-1][1] != "close" or plan.channel == Ticket.Channel.MONITORING:
            return None  # not closed, or the monitoring tool's mailbox: nobody answers
        rng = self.survey_rng
        automatic = plan.steps[-1][2]["automatic"]
        if rng.random() >= SURVEY_ANSWER_SHARE["closed_unanswered" if automatic else "accepted"]:
            return None
        story = self.story(plan)
        rating = rng.choices(range(1, 6), weights=SURVEY_RATING_WEIGHTS[story])[0]
        # A requester who accepted the solution said it was solved (docs/process.md,
        # «Satisfaction survey»): the survey does not ask them again.
        solved = rng.random() < SURVEY_SOLVED_SHARE[rating] or not automatic
        comment = ""
        if rng.random() < SURVEY_COMMENT_SHARE[rating]:
            comment = rng.choice(SURVEY_COMMENTS[self.comment_kind(story, rating, solved)])
        moment = rng.random()
        if moment < 0.5:
            delay = rng.randint(2, 120)  # on reading the survey's email
        elif moment < 0.85:
            delay = rng.randint(3 * 60, 30 * 60)  # later that day or the next
        else:
            delay = rng.randint(2 * 24 * 60, 10 * 24 * 60)  # days later, within the survey's window
        return SurveyReply(rating=rating, solved=solved, comment=comment, delay=delay)

    @staticmethod
    def story(plan: Plan) -> str:
        """What the ticket went through, as its requester rates it."""
        if any(action == "reopen" for _gap, action, _kwargs in plan.steps):
            return "reopened"
        if plan.slow_first_response:
            return "slow"
        return "closed_unanswered" if plan.steps[-1][2]["automatic"] else "smooth"

    def cover_ratings(self, plans: list[Plan]) -> None:
        """Every rating, 1 to 5 (the low ones with their comment), among the surveys sent in
        the last four weeks, so that the reports' distribution of the last 30 days has each:
        a missing rating is given to the answer of a recently closed ticket whose rating
        others share."""
        rng, clock = self.survey_rng, self.clock
        yesterday = clock.first_index_after(timezone.localtime(self.loaded_at, self.tz).date()
                                            - datetime.timedelta(days=1)) - DAY_MINUTES
        since = clock.first_index_after(timezone.localtime(self.loaded_at, self.tz).date()
                                        - datetime.timedelta(days=28))
        recent = [plan for plan in plans if plan.answer is not None and since <= plan.start + plan.duration < yesterday]
        counts = {rating: sum(1 for plan in recent if plan.answer.rating == rating) for rating in range(1, 6)}
        for rating in range(1, 6):
            donors = [plan for plan in recent if counts[plan.answer.rating] > 1]
            if counts[rating] or not donors:
                continue
            plan = rng.choice(donors)
            counts[plan.answer.rating] -= 1
            counts[rating] += 1
            solved = rng.random() < SURVEY_SOLVED_SHARE[rating] or not plan.steps[-1][2]["automatic"]
            comment = rng.choice(SURVEY_COMMENTS[self.comment_kind(self.story(plan), rating, solved)])
            plan.answer = SurveyReply(rating=rating, solved=solved, comment=comment, delay=plan.answer.delay)

    @staticmethod
    def comment_kind(story: str, rating: int, solved: bool) -> str:
        """Which of SURVEY_COMMENTS a requester writes."""
        if not solved:
            return "closed_unanswered_unsolved" if story == "closed_unanswered" else "unsolved"
        if rating == 5:
            return "praise"
        if story == "slow":
            return "slow"
        if rating <= 3 and story in ("reopened", "closed_unanswered"):
            return story
        return {4: "good", 3: "fair"}.get(rating, "rude")

    def withdrawn(self, plan: Plan) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            agent = self.agent_for(plan, SupportLevel.N1)
            plan.add(rng.randint(20, 200), "take", agent=agent)
            plan.add(rng.randint(3, 40), "reply", by=agent,
                     body=self.text(plan, rng.choice(FIRST_REPLIES), agente=agent.get_full_name()))
        plan.add(rng.randint(30, 600), "requester", body=rng.choice(WITHDRAW_MESSAGES))
        plan.add(1, "cancel", by=None, reason=Ticket.CancelReason.WITHDRAWN,
                 note="El solicitante retiró el reporte.")

    def duplicate(self, original: Plan, contacts) -> Plan:
        """The same case reported again, by the same person through another channel or by a colleague."""
        rng = self.rng
        contact = rng.choice(contacts)
        channel = rng.choice([c for c in (Ticket.Channel.WEB, Ticket.Channel.EMAIL, Ticket.Channel.PHONE)
                              if c != original.channel])
        plan = Plan(contact=contact, template=original.template, module=original.module, kind=original.kind,
                    channel=channel, urgency=original.urgency, context=dict(original.context))
        plan.module_name = original.module_name
        plan.duplicate_text = (
            "Lo reporto de nuevo porque es urgente. " if contact == original.contact
            else "En nuestra área tenemos el mismo problema. "
        )
        if channel == Ticket.Channel.PHONE:
            plan.registered_by = rng.choice([a for a in self.agents if a.demo_level == SupportLevel.N1])
        plan.add(0, "open")
        plan.add(rng.randint(10, 180), "cancel", by=self.coordinator, reason=Ticket.CancelReason.DUPLICATE,
                 duplicate_of=original)
        plan.start = original.start + self.time_rng.randint(15, 400)
        return plan

    # Running a plan: each step at its moment, through the services -------------------

    def run(self, plan: Plan) -> None:
        index, last = plan.start, None
        one_second = datetime.timedelta(seconds=1)
        for gap, action, kwargs in plan.steps:
            index += gap
            when = self.clock.at(index) + datetime.timedelta(seconds=self.time_rng.randint(0, 59))
            if action == "open" and self.last_opened and when <= self.last_opened:
                when = self.last_opened + one_second  # references follow creation times
            if last and when <= last:
                when = last + one_second
            last = when
            if action == "open":
                self.last_opened = when
            with time_machine.travel(when, tick=False):
                getattr(self, f"do_{action}")(plan, **kwargs)
        if plan.answer is not None:
            self.answer_survey(plan, closed_at=last)

    def answer_survey(self, plan: Plan, closed_at: datetime.datetime) -> None:
        """The requester answers the survey that closing sent, `plan.answer.delay` minutes
        later (a night's answer moved to the next morning), before now and the survey's end."""
        survey = Survey.objects.get(ticket=plan.ticket)
        when = timezone.localtime(closed_at + datetime.timedelta(minutes=plan.answer.delay), self.tz)
        if when.hour >= 22 or when.hour < 7:
            morning = when if when.hour < 7 else when + datetime.timedelta(days=1)
            when = morning.replace(hour=8 + when.hour % 3)
        limit = min(survey.expires_at, self.loaded_at)
        if when >= limit:
            when = (closed_at + (limit - closed_at) / 2).replace(microsecond=0)
        with time_machine.travel(when, tick=False):
            survey_answer(
                survey=survey,
                rating=plan.answer.rating,
                solved=plan.answer.solved,
                comment=plan.answer.comment,
                notify=False,  # no alert for the low ratings of two months of history
            )

    def do_open(self, plan: Plan) -> None:
        tpl = plan.template
        description = self.text(plan, tpl["d"])
        if plan.duplicate_text:
            description = plan.duplicate_text + description
        occurred_at = None
        if plan.kind == Ticket.Kind.INCIDENT:
            occurred_at = timezone.now() - datetime.timedelta(minutes=self.rng.randint(5, 180))
        plan.ticket = services.ticket_open(
            requester=plan.contact,
            subject=self.text(plan, tpl["s"]),
            description=description,
            channel=plan.channel,
            kind=plan.kind,
            module=plan.module,
            urgency=plan.urgency,
            occurred_at=occurred_at,
            by=plan.registered_by,
            notify=False,  # demo requesters are not emailed two months of history (nor below)
        )

    def do_take(self, plan, agent):
        plan.ticket = services.ticket_take(ticket=plan.ticket, agent=agent)

    def do_assign(self, plan, by, agent):
        plan.ticket = services.ticket_assign(ticket=plan.ticket, assignee=agent, by=by)

    do_reassign = do_assign

    def do_classify(self, plan, by, note="", **changes):
        plan.ticket = services.ticket_classify(ticket=plan.ticket, by=by, note=note, **changes)

    def do_reply(self, plan, by, body):
        services.ticket_add_message(
            ticket=plan.ticket, kind=Message.Kind.PUBLIC_REPLY, body=body, by=by, notify=False
        )

    def do_note(self, plan, by, body):
        services.ticket_add_message(
            ticket=plan.ticket, kind=Message.Kind.INTERNAL_NOTE, body=body, by=by, notify=False
        )

    def do_requester(self, plan, body):
        services.ticket_add_message(ticket=plan.ticket, kind=Message.Kind.FROM_REQUESTER, body=body, notify=False)
        # A reply to a ticket waiting for the requester puts it back to work.
        plan.ticket.refresh_from_db()

    def do_escalate(self, plan, by, reason, agent):
        plan.ticket = services.ticket_escalate(ticket=plan.ticket, by=by, reason=reason, assignee=agent)

    def do_wait_user(self, plan, by, message):
        plan.ticket = services.ticket_wait_for_user(ticket=plan.ticket, by=by, message=message, notify=False)

    def do_wait_vendor(self, plan, by, message, vendor_name, vendor_reference):
        plan.ticket = services.ticket_wait_for_vendor(
            ticket=plan.ticket,
            by=by,
            message=message,
            vendor_name=vendor_name,
            vendor_reference=vendor_reference,
            notify=False,
        )

    def do_resume(self, plan, by):
        plan.ticket = services.ticket_resume(ticket=plan.ticket, by=by)

    def do_solve(self, plan, by, solution, code):
        plan.ticket = services.ticket_solve(
            ticket=plan.ticket, by=by, solution=solution, resolution_code=code, notify=False
        )

    # The requester's answers to the solution go through their own services, so that each
    # confirmation's history says what the requester did (rejected, accepted, no answer).
    def do_reopen(self, plan, message):
        confirmation_reject(confirmation=pending_confirmation(plan.ticket), comment=message, notify=False)
        plan.ticket = Ticket.objects.get(pk=plan.ticket.pk)

    def do_close(self, plan, automatic):
        if automatic:  # the window passed: what the beat job (confirmation_expire_due) does
            plan.ticket = services.ticket_close(ticket=plan.ticket, by=None, automatic=True, notify=False)
        else:
            confirmation_accept(confirmation=pending_confirmation(plan.ticket), notify=False)
            plan.ticket = Ticket.objects.get(pk=plan.ticket.pk)

    def do_cancel(self, plan, by, reason, note="", duplicate_of=None):
        original = duplicate_of.ticket if duplicate_of is not None else None
        if original is not None:
            note = f"Duplicado de {original.reference}: se da seguimiento en el ticket original."
        plan.ticket = services.ticket_cancel(
            ticket=plan.ticket, by=by, reason=reason, note=note, duplicate_of=original, notify=False
        )

    # Knowledge base ----------------------------------------------------------------------

    def load_articles(self) -> bool:
        """The articles of demo/articles.py, written by the agents and published by the
        coordinator over the history's first weeks through knowledge.services; then read
        (views), voted on by made-up browsers, and some of them suggested to web reports
        or said to have solved a problem (deflections); and a few solved tickets' solutions
        made into articles. Only when none of the demo's articles exists yet. False when
        they existed."""
        if Article.objects.filter(title__in=[data["title"] for data in ARTICLES]).exists():
            return False
        rng = random.Random(SEED + 3)  # a generator of its own: the tickets stay as they are
        clock = getattr(self, "clock", None) or BusinessClock(timezone.now(), self.tz, HISTORY_DAYS)
        now = clock.now
        browsers = [hashlib.sha256(f"demo-browser-{n}".encode()).hexdigest() for n in range(400)]
        published = []  # (article, data, the business minute of its publication)
        for n, data in enumerate(ARTICLES):
            # Written across the first two thirds of the history, published within a day or two.
            written = now // 20 + n * (now * 2 // 3) // len(ARTICLES) + rng.randint(0, 120)
            with time_machine.travel(clock.at(written), tick=False):
                article = knowledge.article_create(
                    by=self.agents[data["author"]],
                    title=data["title"],
                    body=data["body"],
                    keywords=data["keywords"],
                    visibility=Article.Visibility.PUBLIC if data["public"] else Article.Visibility.INTERNAL,
                    modules=[self.modules[name] for name in data["modules"]],
                )
            if data["state"] not in (PUBLISHED, ARCHIVED):
                continue
            at = written + rng.randint(30, 2 * DAY_MINUTES)
            with time_machine.travel(clock.at(at), tick=False):
                article = knowledge.article_publish(article=article, by=self.coordinator)
            if data["state"] == ARCHIVED:
                with time_machine.travel(clock.at(at + rng.randint(5, 10) * DAY_MINUTES), tick=False):
                    knowledge.article_archive(article=article, by=self.coordinator)
                continue
            published.append((article, data, at))
        self.read_and_vote(published, clock, browsers, rng)
        self.suggest(published, clock, rng)
        self.articles_from_tickets(clock, rng)
        return True

    def read_and_vote(self, published, clock, browsers, rng) -> None:
        """Views for every published article (agents read the internal ones too); votes and
        deflections for the public ones, after their publication."""
        for article, data, at in published:
            # One statement a reading: few enough to keep `make run` fast.
            views = data["interest"] * rng.randint(2, 5) if data["public"] else rng.randint(2, 6)
            for _ in range(views):
                knowledge.article_viewed(article=article)
            if not data["public"]:
                continue
            for browser in rng.sample(browsers, data["interest"] * rng.randint(1, 3)):
                with time_machine.travel(clock.at(rng.randint(at + 1, clock.now - 1)), tick=False):
                    knowledge.article_vote(article=article, browser=browser, helpful=rng.random() < data["helpful"])
            for _ in range(rng.randint(0, data["interest"] // 2)):
                with time_machine.travel(clock.at(rng.randint(at + 1, clock.now - 1)), tick=False):
                    knowledge.deflection_record(article=article)

    def suggest(self, published, clock, rng) -> None:
        """Up to three public articles of its module, published before it, suggested beside
        the form to about half the web reports that were sent anyway."""
        public = [
            (article, clock.at(at), {self.modules[name].pk for name in data["modules"]})
            for article, data, at in published if data["public"]
        ]
        reports = Ticket.objects.filter(
            organization__in=list(self.organizations.values()), channel=Ticket.Channel.WEB, module__isnull=False
        ).order_by("created_at", "pk")
        for ticket in reports:
            candidates = [
                article for article, at, modules in public if at < ticket.created_at and ticket.module_id in modules
            ]
            if candidates and rng.random() < 0.5:
                chosen = rng.sample(candidates, min(3, len(candidates)))
                knowledge.suggestions_record(ticket=ticket, article_ids=[a.pk for a in chosen])

    def articles_from_tickets(self, clock, rng) -> None:
        """The solutions of three closed tickets of different modules made into articles
        by the agent who solved them, the next business day; the coordinator publishes two
        the day after."""
        modules_done = set()
        closed = Ticket.objects.filter(
            organization__in=list(self.organizations.values()),
            state=Ticket.State.CLOSED,
            assignee__in=self.agents,
            module__isnull=False,
        ).exclude(solution="").select_related("requester", "organization", "assignee").order_by("solved_at", "pk")
        for ticket in closed:
            if len(modules_done) == 3:
                break
            written = clock.first_index_after(timezone.localtime(ticket.solved_at, self.tz).date())
            written += rng.randint(30, 240)
            if ticket.module_id in modules_done or written + DAY_MINUTES >= clock.now:
                continue
            with time_machine.travel(clock.at(written), tick=False):
                article = knowledge.article_from_ticket(ticket=ticket, by=ticket.assignee)
            if len(modules_done) < 2:
                with time_machine.travel(clock.at(written + DAY_MINUTES), tick=False):
                    knowledge.article_publish(article=article, by=self.coordinator)
            modules_done.add(ticket.module_id)

    # Report -----------------------------------------------------------------------------

    def report(self, created_tickets: bool, created_articles: bool, seconds: float) -> None:
        out, style = self.stdout, self.style
        demo_orgs = list(self.organizations.values())
        tickets = Ticket.objects.filter(organization__in=demo_orgs) | Ticket.objects.filter(
            requester__in=self.contacts["orphan"]
        )
        if created_tickets:
            out.write(style.SUCCESS(f"Datos de demostración cargados en {seconds:.1f} s."))
        else:
            out.write(style.WARNING(
                "Los tickets de demostración ya existían: no se crearon otros. "
                f"Catálogo, organizaciones y usuarios verificados en {seconds:.1f} s."
            ))
        by_state = dict(tickets.values_list("state").annotate(n=Count("pk")).order_by())
        states = ", ".join(f"{label.lower()}: {by_state.get(value, 0)}" for value, label in Ticket.State.choices)
        contacts = Contact.objects.filter(organization__in=demo_orgs).count() + len(self.contacts["orphan"])
        out.write(
            f"  Organizaciones: {len(demo_orgs)} · contactos: {contacts}"
            f" · módulos: {len(self.modules)} · especialidades: {len(self.specialties)}"
        )
        out.write(f"  Tickets: {tickets.count()} ({states})")
        out.write(
            f"  Mensajes: {Message.objects.filter(ticket__in=tickets).count()}"
            f" · cambios en el historial: {TicketChange.objects.filter(ticket__in=tickets).count()}"
        )
        surveys = Survey.objects.filter(ticket__in=tickets).summary()
        rate = f" ({surveys.answer_rate:.0%})" if surveys.sent else ""
        out.write(f"  Encuestas: {surveys.sent} enviadas · {surveys.answered} respondidas{rate}")
        by_state = dict(Article.objects.values_list("state").annotate(n=Count("pk")).order_by())
        states = ", ".join(f"{label.lower()}: {by_state.get(value, 0)}" for value, label in Article.State.choices)
        out.write(
            f"  Artículos: {sum(by_state.values())} ({states}; públicos publicados: {Article.objects.public().count()})"
            + ("" if created_articles else " · ya existían: no se crearon otros")
        )
        out.write(
            f"  Votos: {ArticleVote.objects.count()} · incidencias evitadas: {Deflection.objects.count()}"
            f" · sugerencias a reportes enviados: {ArticleSuggestion.objects.count()}"
        )
        out.write("")
        out.write(style.MIGRATE_HEADING(f"Accesos de demostración (contraseña de todos: {DEMO_PASSWORD})"))
        rows = [("Usuario", "Rol", "Nombre")]
        rows.append((self.coordinator.username, "Coordinador", self.coordinator.get_full_name()))
        for agent in self.agents:
            rows.append((agent.username, f"Agente {SupportLevel(agent.demo_level).label}", agent.get_full_name()))
        rows.append((self.admin.username, "Superusuario (admin de Django)", self.admin.get_full_name()))
        widths = [max(len(row[n]) for row in rows) for n in range(3)]
        for n, row in enumerate(rows):
            line = "  " + "  ".join(value.ljust(widths[i]) for i, value in enumerate(row))
            out.write(style.HTTP_INFO(line) if n == 0 else line)

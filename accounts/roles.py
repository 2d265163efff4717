"""The desk's roles: who is an agent and who is a coordinator, and what each may do.

One rule, used everywhere (the workspace's pages, the admin, the services' checks, the
lists of agents to assign and of coordinators to alert):

- an **agent** is an active user who holds ``tickets.work_ticket``;
- a **coordinator** is an active user who holds ``tickets.assign_ticket``;

held through a role's group (Agente, Coordinador: the groups below, created by a
migration) or given to the user directly. A coordinator is also an agent (their role
includes the agent's permissions). An active **superuser** holds every permission, as
Django's own permission check says, so a superuser is an agent and a coordinator
everywhere: they may be assigned tickets, and they are told what coordinators are told.
An inactive user is neither, whatever they hold. Being staff (``is_staff``, the admin's
door) makes nobody an agent.

`is_agent` / `is_coordinator` answer for one user (``user.has_perm``); `agents()` /
`coordinators()` are the same rule as querysets."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from .models import AGENT_GROUP, COORDINATOR_GROUP

# What makes a role, as "app_label.codename".
WORK_PERMISSION = "tickets.work_ticket"
ASSIGN_PERMISSION = "tickets.assign_ticket"
CANCEL_PERMISSION = "tickets.cancel_ticket"
REPORTS_PERMISSION = "reports.view_reports"

SLA_MODELS = ("calendar", "businesshours", "holiday", "workedholiday", "slaplan", "slatarget")

# (app_label, codename)
AGENT_PERMISSIONS = [
    ("tickets", "work_ticket"),
    ("tickets", "view_ticket"),
    ("tickets", "change_ticket"),
    ("tickets", "view_message"),
    ("tickets", "add_message"),
    ("tickets", "view_attachment"),
    ("tickets", "add_attachment"),
    ("tickets", "view_ticketchange"),
    ("tickets", "view_priorityrule"),
    ("customers", "view_organization"),
    ("customers", "view_contact"),
    ("customers", "add_contact"),
    ("customers", "view_supportpolicy"),
    ("catalog", "view_module"),
    ("catalog", "view_specialty"),
    ("accounts", "view_agentprofile"),
    *[("sla", f"view_{model}") for model in SLA_MODELS],
    ("sla", "view_slaevent"),  # read-only: events are written by the sweep alone
    # The knowledge base: agents write drafts (and read the revisions); coordinators publish.
    *[("knowledge", f"{verb}_article") for verb in ("view", "add", "change")],
    ("knowledge", "view_articlerevision"),
    # Canned replies: agents read and insert them; coordinators write them (canned.services).
    ("canned", "view_cannedreply"),
]

COORDINATOR_PERMISSIONS = AGENT_PERMISSIONS + [
    ("tickets", "assign_ticket"),
    ("tickets", "cancel_ticket"),
    ("tickets", "change_priorityrule"),
    ("knowledge", "publish_article"),
    ("canned", "add_cannedreply"),
    ("canned", "change_cannedreply"),
    *[("customers", f"{verb}_{model}") for model in ("organization", "contact", "supportpolicy") for verb in ("add", "change", "delete")],
    *[("catalog", f"{verb}_{model}") for model in ("module", "specialty") for verb in ("add", "change", "delete")],
    *[("sla", f"{verb}_{model}") for model in SLA_MODELS for verb in ("add", "change", "delete")],
    ("accounts", "change_agentprofile"),
    ("accounts", "add_agentprofile"),
    ("accounts", "view_user"),
    ("health", "view_heartbeat"),
    # Informes: the whole desk's figures (an agent sees only their own, Mis indicadores).
    ("reports", "view_reports"),
    ("notifications", "view_outgoingemail"),
    ("notifications", "change_outgoingemail"),
    # Closing the loop: the survey's wording and window; the answers and confirmations, read-only.
    ("surveys", "add_surveysettings"),
    ("surveys", "change_surveysettings"),
    ("surveys", "view_surveysettings"),
    *[("surveys", f"view_{model}") for model in ("survey", "surveyanswer", "solutionconfirmation")],
    *[("integrations", f"{verb}_integration") for verb in ("view", "add", "change")],
    ("integrations", "view_monitoringalert"),
    *[
        ("django_celery_beat", f"{verb}_{model}")
        for model in ("periodictask", "intervalschedule", "crontabschedule")
        for verb in ("view", "change")
    ],
]

ROLES = {
    AGENT_GROUP: AGENT_PERMISSIONS,
    COORDINATOR_GROUP: COORDINATOR_PERMISSIONS,
}

def ensure_roles(Group, Permission):
    """Create missing groups and give them any missing permission; never removes what a
    coordinator added. Runs after every migrate and database flush (post_migrate)."""
    for name, wanted in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        have = set(group.permissions.values_list("content_type__app_label", "codename"))
        missing = [pair for pair in wanted if pair not in have]
        for app_label, codename in missing:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


def holds(user, permission: str) -> bool:
    """Whether `user` is active and holds `permission` (through a group, directly, or as a
    superuser): the rule every role below is made of."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(permission))


def is_agent(user) -> bool:
    """May work tickets: agents, coordinators and superusers, if active."""
    return holds(user, WORK_PERMISSION)


def is_coordinator(user) -> bool:
    """May assign tickets, and cancel them for any reason: coordinators and superusers, if
    active. (An agent may cancel a duplicate only: tickets.models.Ticket.cancel_reasons_for.)"""
    return holds(user, ASSIGN_PERMISSION)


def _holding(permission: str):
    """Active users holding `permission` through a group or directly, or superusers: the
    rule of `holds` as a filter (one EXISTS each, no duplicate rows)."""
    app_label, codename = permission.split(".")
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return get_user_model().objects.filter(
        Q(is_superuser=True)
        | Exists(granted.filter(group__user=OuterRef("pk")))
        | Exists(granted.filter(user=OuterRef("pk"))),
        is_active=True,
    )


def sees_reports(user) -> bool:
    """May read the whole desk's figures (Informes): coordinators, or anyone given
    ``reports.view_reports``; superusers."""
    return holds(user, REPORTS_PERMISSION)


def agents():
    """Every user `is_agent` says yes to."""
    return _holding(WORK_PERMISSION)


def coordinators():
    """Every user `is_coordinator` says yes to."""
    return _holding(ASSIGN_PERMISSION)


def report_readers():
    """Every user `sees_reports` says yes to (the weekly summary's recipients)."""
    return _holding(REPORTS_PERMISSION)


def watch_grants(cache) -> None:
    """Make a process cache (helpdesk.process_cache) forget what it keeps whenever who holds
    which permission changes: a group or a permission saved or deleted, a user joining or
    leaving a group, a permission given to or taken from a user or a group. Not the users
    themselves: whoever keeps per-user answers says what else they depend on."""
    User = get_user_model()
    cache.watch(Group, Permission)
    cache.watch_links(User.groups.through, User.user_permissions.through, Group.permissions.through)

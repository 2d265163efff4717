"""The desk's roles as Django groups, and what each may do."""

from .models import AGENT_GROUP, COORDINATOR_GROUP

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
]

COORDINATOR_PERMISSIONS = AGENT_PERMISSIONS + [
    ("tickets", "assign_ticket"),
    ("tickets", "cancel_ticket"),
    ("tickets", "change_priorityrule"),
    *[("customers", f"{verb}_{model}") for model in ("organization", "contact", "supportpolicy") for verb in ("add", "change", "delete")],
    *[("catalog", f"{verb}_{model}") for model in ("module", "specialty") for verb in ("add", "change", "delete")],
    *[("sla", f"{verb}_{model}") for model in SLA_MODELS for verb in ("add", "change", "delete")],
    ("accounts", "change_agentprofile"),
    ("accounts", "add_agentprofile"),
    ("accounts", "view_user"),
    ("health", "view_heartbeat"),
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


# Who is an agent and who is a coordinator, by the permission their role gives.
WORK_PERMISSION = "tickets.work_ticket"
ASSIGN_PERMISSION = "tickets.assign_ticket"
CANCEL_PERMISSION = "tickets.cancel_ticket"


def is_agent(user) -> bool:
    """Agents and coordinators (and superusers): whoever may work tickets."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(WORK_PERMISSION))


def is_coordinator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(ASSIGN_PERMISSION))

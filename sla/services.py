"""Which plan and targets apply to a ticket. Deadlines on tickets and the sweep come later."""

import datetime

from customers.models import Organization, SupportPolicy

from .models import SLAPlan, SLATarget


def sla_plan_for(*, organization: Organization | None, on: datetime.date | None = None) -> SLAPlan:
    """The plan named by the organization's policy in force on `on` (today by default);
    the default plan when no policy in force names one. With several policies in force,
    the one that ends last decides, as in `Organization.policy_in_force`."""
    if organization is not None:
        policy = (
            SupportPolicy.objects.in_force(on)
            .filter(organization=organization)
            .select_related("sla_plan__calendar")
            .order_by("-ends_on", "-pk")
            .first()
        )
        if policy is not None and policy.sla_plan is not None:
            return policy.sla_plan
    return SLAPlan.objects.default()


def targets_for(plan: SLAPlan, priority: int) -> SLATarget:
    """The plan's target for a priority. A plan without one (only possible outside the
    admin, which requires all five) borrows the default plan's."""
    targets = {target.priority: target for target in plan.targets.all()}
    if priority in targets:
        return targets[priority]
    return SLATarget.objects.select_related("plan").get(plan__is_default=True, priority=priority)

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from workspace.access import is_agent

from .clients import client_address

# Sign-in attempts allowed per client address and user name before a pause (brute force).
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60


def home(request):
    """The landing page: where to report an incident and where agents sign in."""
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    """Django's sign-in, with a pause after repeated failures from one address for one name."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def _failures_key(self):
        username = (self.request.POST.get("username") or "").strip().lower()
        return f"login-failures:{client_address(self.request)}:{username}"

    def post(self, request, *args, **kwargs):
        if cache.get(self._failures_key(), 0) >= LOGIN_MAX_FAILURES:
            form = self.get_form()
            form.add_error(
                None,
                _("Demasiados intentos fallidos. Espere %(minutes)d minutos antes de volver a intentarlo.")
                % {"minutes": LOGIN_LOCKOUT_SECONDS // 60},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = self._failures_key()
        cache.add(key, 0, LOGIN_LOCKOUT_SECONDS)
        cache.incr(key)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(self._failures_key())
        return super().form_valid(form)


@login_required
def after_login(request):
    """Where people land after signing in: agents and coordinators on their queue;
    staff without the agent role (a pure administrator) on the admin."""
    if is_agent(request.user):
        return redirect("workspace:queue")
    if request.user.is_staff:
        return redirect("admin:index")
    messages.warning(request, _("Su cuenta no tiene acceso a la mesa. Pida a un coordinador que se lo conceda."))
    return redirect("home")

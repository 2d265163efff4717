import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import is_agent

from .client_ip import client_address
from .ratelimits import login_identity, login_serialized
from .signin import PasswordResetForm, SetPasswordForm, SignInForm, password_reset_allowed


def home(request):
    """The landing page: where to report an incident and where agents sign in."""
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    """Django's sign-in. Repeated failures pause it (django-axes, see helpdesk/ratelimits.py):
    the admin's sign-in is routed here too."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        with login_serialized(login_identity(request.POST.get("username"))):
            return super().post(request, *args, **kwargs)


def login_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page, in Spanish, with status 429 while the name
    or the address is paused. It does not say which, nor whether the name exists."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, math.ceil(seconds / 60))
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    locked_out = ngettext(
        "Demasiados intentos fallidos. Espere %(minutes)d minuto antes de volver a intentarlo.",
        "Demasiados intentos fallidos. Espere %(minutes)d minutos antes de volver a intentarlo.",
        minutes,
    ) % {"minutes": minutes}
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    context = {"form": form, "next": next_url, "locked_out": locked_out}
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """«¿Olvidó su contraseña?»: the same answer (the "sent" page) whatever was typed, so
    the page tells nobody which addresses have an account; the email is queued in the
    outbox only for an active account with a usable password, within the rate limit
    (docs/security.md, «Sign-in»)."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if password_reset_allowed(email=form.cleaned_data["email"], client=client_address(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link: Django's view, which moves the token out of the address into the
    session before showing the form, and refuses a link already used or expired."""

    form_class = SetPasswordForm
    reset_url_token = "nueva"


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

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def home(request):
    """The landing page: where to report an incident and where agents sign in."""
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def after_login(request):
    """Where staff land after signing in."""
    if request.user.is_staff:
        return redirect("admin:tickets_ticket_changelist")
    messages.warning(request, _("Su cuenta no tiene acceso a la mesa. Pida a un coordinador que se lo conceda."))
    return redirect("home")

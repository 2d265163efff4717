from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from health.views import health

from . import views

admin.site.site_header = _("Mesa de ayuda · Coordinación")
admin.site.site_title = _("Mesa de ayuda")
admin.site.index_title = _("Configuración y seguimiento")

urlpatterns = [
    path("", views.home, name="home"),
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    # «¿Olvidó su contraseña?»: Django's views and names, the email through the outbox.
    path("entrar/contrasena/", views.PasswordResetView.as_view(), name="password_reset"),
    path("entrar/contrasena/enviada/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "entrar/contrasena/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("entrar/contrasena/lista/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("inicio/", views.after_login, name="after-login"),
    path("salud/", health, name="health"),
    path("mesa/", include("workspace.urls")),
    # The phone channel: intake's pages for agents, in the workspace's /mesa/.
    path("mesa/", include("intake.phone_urls")),
    # The reports: Informes, Mis indicadores, the tickets behind each figure, the exports.
    path("mesa/", include("reports.urls")),
    path("reportar/", include("intake.urls")),
    path("seguimiento/", include("intake.follow_urls")),
    # The public help center: the published public articles, their search and votes.
    path("ayuda/", include("knowledge.help_urls")),
    # The requester's answers from the emails: /solucion/… (confirm the solution), /encuesta/….
    path("", include("surveys.urls")),
    # The configured ESP's inbound email webhook only, refused without WEBHOOK_SECRET (intake.webhooks).
    path("anymail/", include("intake.webhook_urls")),
    path("api/v1/", include("integrations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through the desk's own page (rate-limited, Spanish).
    path("admin/login/", views.LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
]

from django.conf import settings


def desk(request):
    """The desk's name and public contact channels, for every template."""
    return {
        "desk_name": settings.HELPDESK_NAME,
        "desk_support_email": settings.HELPDESK_SUPPORT_EMAIL,
        "desk_support_phone": settings.HELPDESK_SUPPORT_PHONE,
    }

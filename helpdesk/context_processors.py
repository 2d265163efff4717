from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.utils.functional import SimpleLazyObject


def desk(request):
    """The desk's name and public contact channels, for every template."""
    return {
        "desk_name": settings.HELPDESK_NAME,
        "desk_support_email": settings.HELPDESK_SUPPORT_EMAIL,
        "desk_support_phone": settings.HELPDESK_SUPPORT_PHONE,
    }


def flash(request):
    """The page's flash messages split by urgency, read only when a template shows them:
    what an action did (role="status") and what went wrong (role="alert"), each region
    drawn only when it has something to say (templates/base.html)."""

    def split():
        notices, errors = [], []
        for message in get_messages(request):
            (errors if message.level >= constants.ERROR else notices).append(message)
        return {"notices": notices, "errors": errors}

    return {"flash": SimpleLazyObject(split)}

"""Who may do what, read once a user and kept for a few seconds.

Every staff page asks `has_perm` at least once (`accounts.roles.holds`), and Django's
ModelBackend answers by reading the user's permissions and their groups' permissions from
the database again on every request: two queries a page. `PermissionBackend` is that
backend with its answer kept in a process cache (helpdesk.process_cache): forgotten at
once, in every process, when a group, a permission or one of their links changes through
the ORM (adding a user to a group, taking a permission from a group), and after a few
seconds whatever happened. A user made inactive holds nothing from the next request on
(ModelBackend's rule, checked before the cache), and one made superuser is another key."""

from django.contrib.auth.backends import ModelBackend

from helpdesk.process_cache import ProcessCache

from .roles import watch_grants

PERMISSIONS_CACHE = ProcessCache("permissions")


def watch_permission_changes():
    """Connects PERMISSIONS_CACHE to what its answers depend on (AccountsConfig.ready). Not
    the users themselves: the answer's key holds whether the user is a superuser, and an
    inactive user holds nothing whatever is kept (get_all_permissions)."""
    watch_grants(PERMISSIONS_CACHE)


class PermissionBackend(ModelBackend):
    """django.contrib.auth's ModelBackend (sign-in, active users, superusers, group and
    user permissions: the same rules), with each user's permission set kept in
    PERMISSIONS_CACHE."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # Keyed by what the answer depends on besides the links: a superuser holds every
            # permission; the links are watched.
            key = (user_obj.pk, user_obj.is_superuser)
            user_obj._perm_cache = PERMISSIONS_CACHE.get(
                key, lambda: frozenset(super(PermissionBackend, self).get_all_permissions(user_obj))
            )
        return user_obj._perm_cache

"""What the apps' admins share."""


class ReadOnlyAdminMixin:
    """A record the product writes itself (history, outbox, events, answers): the admin
    shows it and never adds, edits or deletes it. For a ModelAdmin or an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

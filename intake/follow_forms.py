from tickets.attachments import TicketMessageForm


class FollowReplyForm(TicketMessageForm):
    """The requester's answer on their page: a message and, optionally, files checked
    exactly as the report form's (every file, by content)."""

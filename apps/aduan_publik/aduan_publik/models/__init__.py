from .complaint import (
    ACTIVE_DISPOSITION_STATES,
    AWAITING_REROUTE,
    CLOSED_STATUSES,
    Complaint,
    Contact,
    Disposition,
    FollowUp,
)
from .notify import Escalation, Notification
from .org import OPD, Area, Category, Counter, DayOff, Role, StaffProfile
from .thread import Attachment, Event, InboundEvent, Message
from .webhooks import WebhookDeadLetter, WebhookDelivery, WebhookSubscription

__all__ = [
    "ACTIVE_DISPOSITION_STATES",
    "AWAITING_REROUTE",
    "CLOSED_STATUSES",
    "OPD",
    "Area",
    "Attachment",
    "Category",
    "Complaint",
    "Contact",
    "Counter",
    "DayOff",
    "Disposition",
    "Escalation",
    "Event",
    "FollowUp",
    "InboundEvent",
    "Message",
    "Notification",
    "Role",
    "StaffProfile",
    "WebhookDeadLetter",
    "WebhookDelivery",
    "WebhookSubscription",
]

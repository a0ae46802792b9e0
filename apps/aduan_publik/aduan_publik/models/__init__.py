from ..triage.models import TriageSuggestion  # issue 15: the triage package's one model
from .channel import ChannelInstance
from .complaint import (
    ACTIVE_DISPOSITION_STATES,
    AWAITING_REROUTE,
    CLOSED_STATUSES,
    Complaint,
    Contact,
    Disposition,
    FollowUp,
    OpdScope,
)
from .figures import FigureCell, FigureContribution, FigureDirty, FigureHistogram, FigureOpenDue
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
    "ChannelInstance",
    "Complaint",
    "Contact",
    "Counter",
    "DayOff",
    "Disposition",
    "Escalation",
    "Event",
    "FigureCell",
    "FigureContribution",
    "FigureDirty",
    "FigureHistogram",
    "FigureOpenDue",
    "FollowUp",
    "InboundEvent",
    "Message",
    "Notification",
    "OpdScope",
    "Role",
    "StaffProfile",
    "TriageSuggestion",
    "WebhookDeadLetter",
    "WebhookDelivery",
    "WebhookSubscription",
]

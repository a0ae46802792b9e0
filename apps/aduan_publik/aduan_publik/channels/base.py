"""The channel contract: what a door into the hub must provide.

A channel is a class registered in the ``aduan_publik.channels`` entry-point group. The core
never imports a channel module by name; it asks the registry. A channel

* turns a raw inbound request into normalised :class:`InboundMessage` objects
  (:meth:`Channel.parse_inbound`), after verifying it (signature, token) — or raises
  :class:`SignatureError` / :class:`PayloadError`;
* sends an :class:`OutboundMessage` (:meth:`Channel.send`) and reports a :class:`SendResult`,
  raising :class:`TemporaryChannelError` for errors worth retrying and
  :class:`PermanentChannelError` for those that are not;
* declares its :class:`Capabilities`, which the desk and services read to decide what to offer.

Channel objects are stateless; the settings of the channel *instance* in use (a site may run two
WhatsApp numbers) come from its Channel document through :meth:`Channel.config`, with
``settings.ADUAN["channels"][name]`` as the fallback when the site has no document yet. Every channel's tests use
:class:`aduan_publik.testing.channel_contract.ChannelContractTests`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _


class ChannelError(Exception):
    """Base of the errors a channel raises; ``str(exc)`` is shown to staff."""


class SignatureError(ChannelError):
    """The inbound request is not provably from the provider (missing or forged signature)."""


class PayloadError(ChannelError):
    """The inbound request is authentic but its body cannot be understood."""


class TemporaryChannelError(ChannelError):
    """Sending failed for a reason that may pass (rate limit, provider outage): retry later."""

    def __init__(self, message: str, *, retry_after: float | None = None, code: str = ""):
        super().__init__(message)
        self.retry_after = retry_after
        self.code = code


class PermanentChannelError(ChannelError):
    """Sending failed for good (invalid recipient, policy refusal): mark the message failed."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Capabilities:
    inbound: bool = True
    outbound: bool = True
    media: bool = False
    delivery_status: bool = False
    templates: bool = False
    # True when outbound messages cannot be sent by a machine and staff deliver them
    # (walk-in desk, phone): the message is then marked "manual" for a person to do it.
    manual_delivery: bool = False
    # True when the channel mirrors the hub's changes back to the provider (SP4N-LAPOR!):
    # every audit event of one of its complaints is then handed to :meth:`Channel.on_event`.
    status_sync: bool = False
    # True when the channel delivers the city's broadcasts (:meth:`Channel.send_broadcast`,
    # :meth:`Channel.broadcast_templates`); see docs/broadcast.md.
    broadcast: bool = False


@dataclass(frozen=True)
class ContactRef:
    """Who a message is from or to, as the channel identifies them."""

    address: str = ""
    user_id: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class InboundAttachment:
    """A file on an inbound message: inline ``content`` or a provider ``media_id`` to fetch."""

    filename: str
    content_type: str = ""
    content: bytes | None = None
    media_id: str = ""


#: Kinds of :class:`InboundMessage` the core applies to an earlier message or to the contact
#: instead of routing them as a new message (see docs/channels.md): a reaction to, an edit of
#: or a revoke (deletion) of the message ``refers_to``; a contact whose address changed to
#: ``changed_to``. None of them opens a complaint or sends anything.
REACTION, EDIT, REVOKE, CONTACT_CHANGE = "reaction", "edit", "revoke", "contact_change"


@dataclass(frozen=True)
class InboundMessage:
    """A message from a resident, normalised. ``external_id`` is the provider's unique id.

    ``substantive=False`` marks content that is kept on the thread but never opens a complaint
    nor counts as the reporter's answer (a sticker, a type the provider could not deliver).
    """

    channel: str
    external_id: str
    sender: ContactRef
    sent_at: datetime
    kind: str = "text"
    text: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    tracking_number: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    substantive: bool = True
    refers_to: str = ""  # provider id of the message a reaction, edit or revoke is about
    changed_to: ContactRef | None = None  # the new identity of a CONTACT_CHANGE
    errors: str = ""  # the provider's errors reported on this message, readable


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt for an outbound message: sent, delivered, read or failed."""

    channel: str
    external_id: str
    status: str
    at: datetime
    error: str = ""
    #: What the hub attached to the message when sending it (WhatsApp's ``biz_opaque_callback_data``),
    #: echoed by the provider: how a broadcast send whose answer was lost is reconciled.
    callback_data: str = ""


@dataclass(frozen=True)
class InboundProblem:
    """One item of a delivery that could not be used, kept visible instead of sinking the batch.

    :meth:`Channel.parse_inbound` returns it beside the good items when one message or status
    of a batch is malformed (no sender, unreadable time), is addressed to another account, or
    when the provider reports an error instead of an item. The core records it on the stored
    delivery (``InboundEvent.problems``) for the admin; the other items are routed as usual.
    """

    channel: str
    reason: str
    external_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    """A message to a reporter. ``message_id`` is our Message pk (idempotency key)."""

    message_id: int
    to: ContactRef
    text: str
    tracking_number: str
    attachments: tuple[str, ...] = ()  # storage paths of Attachment files
    last_inbound_at: datetime | None = None
    #: What the message is for: "ack" (the acknowledgement with the tracking number and code)
    #: or "" (any other message); a channel may word or template them differently.
    purpose: str = ""
    #: The text without its opening words, for a channel that must wrap it in a pre-approved
    #: template with its own wording (WhatsApp outside the 24-hour window); "" means ``text``.
    template_text: str = ""


@dataclass(frozen=True)
class BroadcastMessage:
    """One broadcast to one resident: an approved template with its variables filled.

    ``callback_data`` must travel with the message and come back on its delivery statuses
    (:attr:`StatusUpdate.callback_data`), so a send whose answer was lost in a crash is found
    again instead of being sent twice.
    """

    recipient_id: int
    to: ContactRef
    template: str
    language: str
    params: tuple[str, ...] = ()
    header_format: str = ""  # "", "IMAGE" or "DOCUMENT"
    header_media_id: str = ""  # the provider's id of the uploaded header file
    header_filename: str = ""
    callback_data: str = ""


@dataclass(frozen=True)
class SendResult:
    external_id: str = ""
    state: str = "sent"  # "sent" or "manual"
    note: str = ""


@dataclass(frozen=True)
class Setting:
    """One setting of a channel instance, as the desk's Channel document asks for it.

    ``secret`` values are encrypted at rest and never shown back in full; ``required`` ones
    must be filled for :meth:`Channel.is_configured`.
    """

    name: str
    label: str | Promise = ""  # gettext_lazy(...) for a label in the site's language
    secret: bool = False
    required: bool = True
    help: str | Promise = ""


@dataclass(frozen=True)
class ConnectionCheck:
    """What :meth:`Channel.check_connection` found: ``ok``, a line for staff, a token's expiry if known."""

    ok: bool
    detail: str = ""
    token_expires_at: datetime | None = None
    token_invalid: bool = False  # the provider refused the token itself (Graph API error 190)


_SECRET_WORDS = ("secret", "token", "password", "api_key", "apikey", "key")


def _looks_secret(key: str) -> bool:
    return any(word in key.lower() for word in _SECRET_WORDS)


@dataclass(frozen=True)
class RawInbound:
    """An inbound HTTP request reduced to what verification and parsing need."""

    method: str
    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, Any] = field(default_factory=dict)


class Channel:
    """Base class of every channel. Subclasses set ``name``/``label`` and override what they support."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Dotted path of a urls module mounted at ``/channels/<name>/`` (webhooks), or "".
    urls: ClassVar[str] = ""
    #: Keys a fully configured channel needs in its site config (a system check reports gaps).
    required_settings: ClassVar[tuple[str, ...]] = ()
    #: Request headers / query or form fields carrying a secret (a shared webhook token): they are
    #: redacted before a delivery is stored, on top of those in :mod:`.redaction` (case-insensitive).
    sensitive_headers: ClassVar[tuple[str, ...]] = ()
    sensitive_params: ClassVar[tuple[str, ...]] = ()
    #: The settings an instance of this channel has, for the desk's Channel document. Empty:
    #: derived from :attr:`required_settings` (all required; names with "token", "secret",
    #: "key" or "password" are secret).
    settings_schema: ClassVar[tuple[Setting, ...]] = ()
    #: The key of the channel instance this object works for ("" = the default instance); set
    #: by the registry (``get_channel(name, instance=key)``), never by the channel itself.
    instance: str = ""

    @classmethod
    def setting_schema(cls) -> tuple[Setting, ...]:
        """:attr:`settings_schema`, plus a required setting for each :attr:`required_settings` key it lacks."""
        declared = {s.name for s in cls.settings_schema}
        derived = tuple(Setting(key, key, secret=_looks_secret(key)) for key in cls.required_settings
                        if key not in declared)
        return tuple(cls.settings_schema) + derived

    def config(self) -> dict[str, Any]:
        """The settings of this channel instance, a copy: its Channel document's settings and
        decrypted secrets, or ``ADUAN["channels"][name]`` while the site has no document.

        Read per call through a short in-process cache that saving a document clears, so a
        change in the desk takes effect without a restart.
        """
        from ..selectors.channel_instances import instance_config

        return instance_config(self.name, self.instance)

    def is_configured(self) -> bool:
        """Whether every required setting has a value in this instance's config."""
        cfg = self.config()
        return all(cfg.get(s.name) for s in self.setting_schema() if s.required)

    def check_connection(self) -> ConnectionCheck:
        """Try the provider with this instance's settings, harmlessly (no message is sent).

        The desk's "check connection" button calls it. The default only says whether the
        instance is configured; a channel with an API should override it with a read-only call.
        Never raise for a provider failure: report it as ``ok=False`` with the reason.
        """
        if self.is_configured():
            return ConnectionCheck(ok=True, detail=_("Pengaturan lengkap; kanal ini tidak punya uji koneksi."))
        missing = [s.name for s in self.setting_schema() if s.required and not self.config().get(s.name)]
        return ConnectionCheck(ok=False, detail=_("Pengaturan belum lengkap: %(keys)s") % {"keys": ", ".join(missing)})

    def handshake(self, raw: RawInbound) -> str | None:
        """Answer a provider's subscription check (GET); None refuses it (403)."""
        return None

    def verify_inbound(self, raw: RawInbound) -> None:
        """Prove ``raw`` comes from the provider (signature, token) or raise :class:`SignatureError`.

        Runs in the web request before anything is stored, so it must be fast. The default
        refuses everything: a channel that accepts webhooks must say how it authenticates them.
        """
        raise SignatureError(f"channel {self.name!r} does not accept webhooks")

    def inbound_key(self, raw: RawInbound) -> str:
        """The provider's unique key for this delivery (redeliveries share it). Default: body hash."""
        return hashlib.sha256(raw.body).hexdigest()

    def parse_inbound(self, raw: RawInbound) -> Sequence[InboundMessage | StatusUpdate | InboundProblem]:
        """Return every message and status ``raw`` carries (never drop an item of a batch).

        Called in a job on an already verified, stored delivery. Parse item by item: an item
        that cannot be used becomes an :class:`InboundProblem` beside the good ones (recorded
        for the admin, the rest routed). Raise :class:`PayloadError` only for a body that cannot
        be understood at all (it is then kept as *rejected* with the reason).
        """
        raise PayloadError(f"channel {self.name!r} does not accept inbound requests")

    def intercept(self, message: InboundMessage) -> bool:
        """Answer ``message`` before routing (a keyword such as ``STATUS ADU-…``).

        Called in the inbound job's transaction; return True when the channel handled it (it
        then opens no complaint and joins no thread). Must be idempotent on the message id.
        """
        return False

    def send(self, message: OutboundMessage) -> SendResult:
        """Deliver ``message``; raise Temporary/PermanentChannelError on failure."""
        raise PermanentChannelError(f"channel {self.name!r} cannot send messages")

    def send_broadcast(self, message: BroadcastMessage) -> SendResult:
        """Deliver one broadcast message (``capabilities.broadcast``); raise Temporary/PermanentChannelError.

        The error's ``code`` tells the broadcast engine what to do (see docs/broadcast.md).
        """
        raise PermanentChannelError(f"channel {self.name!r} cannot send broadcasts")

    def broadcast_templates(self) -> list[dict[str, Any]]:
        """The provider's message templates: dicts with name, language, category, status, components."""
        return []

    def broadcast_upload(self, content: bytes, filename: str, content_type: str) -> str:
        """Upload a broadcast's header file once; returns the provider's media id."""
        raise PermanentChannelError(f"channel {self.name!r} cannot upload media")

    def on_event(self, event_id: int) -> None:
        """Mirror one audit event of a complaint from this channel to the provider (a job).

        Only called when ``capabilities.status_sync`` is set. Must be idempotent: the job may
        run again after a crash. Raise TemporaryChannelError to be retried with backoff.
        """

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Download an inbound attachment by provider id: (content, content_type)."""
        raise PermanentChannelError(f"channel {self.name!r} has no media to fetch")

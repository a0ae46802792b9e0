"""Registers the desk's model admins (imported by ``aduan_publik.admin`` at autodiscovery)."""

from ..webhooks_out import admin as webhooks_admin  # noqa: F401  (outgoing webhooks, admins only)
from . import (  # noqa: F401
    attachment_admin,
    channel_admin,
    complaint_admin,
    notification_admin,
    org_admin,
    privacy_admin,
    signin_admin,
    thread_admin,
)

"""Registers the desk's model admins (imported by ``aduan_publik.admin`` at autodiscovery)."""

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

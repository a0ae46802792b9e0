"""Registers the desk's model admins (imported by ``aduan_publik.admin`` at autodiscovery)."""

from . import attachment_admin, channel_admin, complaint_admin, notification_admin, org_admin, thread_admin  # noqa: F401

"""The scheduler's entry point for the monthly report (thin: the service does the work)."""

from __future__ import annotations

from ..services.report_mail import monthly_report_send


def send_monthly_reports() -> int:
    """Daily: send last month's report to the leaders if it has not been sent yet."""
    return monthly_report_send()

"""What X bills (pay-per-use, USD per resource, docs of 2026) and the site's monthly budget.

The site may override any price in ``channels.x.prices`` (X changes them) and sets its budget
in ``channels.x.monthly_budget_usd``. ``owned_reads`` (the city's own account owns the
developer app) bills the account's mentions at the Owned Reads price.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

PRICES = {
    "post_read": Decimal("0.005"),
    "owned_read": Decimal("0.001"),
    "user_read": Decimal("0.010"),
    "post_create": Decimal("0.015"),
    "dm_create": Decimal("0.015"),
    "event_post": Decimal("0.005"),
    "event_dm": Decimal("0.010"),
}
DEFAULT_BUDGET = Decimal("25")


def price(cfg: dict[str, Any], name: str) -> Decimal:
    custom = (cfg.get("prices") or {}).get(name)
    return Decimal(str(custom)) if custom is not None else PRICES[name]


def read_price(cfg: dict[str, Any]) -> Decimal:
    return price(cfg, "owned_read" if cfg.get("owned_reads") else "post_read")


def budget(cfg: dict[str, Any]) -> Decimal:
    return Decimal(str(cfg.get("monthly_budget_usd") or DEFAULT_BUDGET))


def month_spend() -> Decimal:
    """This month's counted spend (UTC month)."""
    from ..models import XSpend
    from ..services import month_of

    row = XSpend.objects.filter(month=month_of(timezone.now())).values_list("cost_usd", flat=True).first()
    return Decimal(row or 0)


def affordable(cfg: dict[str, Any], cost: Decimal) -> bool:
    return month_spend() + cost <= budget(cfg)

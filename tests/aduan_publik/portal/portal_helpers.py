"""Helpers for the portal tests: a real image, and reading the form like a person."""

from __future__ import annotations

import io
import re

from PIL import Image


def photo_bytes(color: str = "red", fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format=fmt)
    return buf.getvalue()


def solve(html: str) -> dict[str, str]:
    """Read the captcha off the page like a person: the sum and its hidden token."""
    a, b = re.search(r'class="sum">(\d+) \+ (\d+)<', html).groups()
    token = re.search(r'name="captcha_token" value="([^"]+)"', html).group(1)
    return {"captcha_token": token, "captcha_answer": str(int(a) + int(b))}


def form_token(html: str, name: str = "submit_token") -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)

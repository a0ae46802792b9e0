"""Social-media doors for the hub: Facebook Page, Instagram and X, as one installable plugin package.

The entry points name ``aduan_social:FacebookChannel`` and friends. This package has an ``apps``
module (it keeps the X poll cursor and the month's X spend), so the hub's settings import it
before Django is set up: the channel classes are therefore loaded lazily (PEP 562), the first
time the registry asks for one, never at import time.
"""

from __future__ import annotations

import importlib
from typing import Any

_CLASSES = {
    "FacebookChannel": "aduan_social.facebook",
    "InstagramChannel": "aduan_social.instagram",
    "XChannel": "aduan_social.x",
}

__all__ = list(_CLASSES)


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        return getattr(importlib.import_module(_CLASSES[name]), name)
    raise AttributeError(f"module 'aduan_social' has no attribute {name!r}")

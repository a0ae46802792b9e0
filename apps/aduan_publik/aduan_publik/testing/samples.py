"""Small, real sample files for tests (made on the fly; nothing binary is committed)."""

from __future__ import annotations

import io


def png_bytes(size: tuple[int, int] = (4, 3), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A genuine PNG image made with Pillow."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"

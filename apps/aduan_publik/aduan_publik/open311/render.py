"""GeoReport's two formats: XML (required by the specification) and JSON (its Spark mapping)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, list):
        child = name[:-1] if name.endswith("s") else "item"
        for item in value:
            _xml_item(node, child, item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(node, key, inner)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def _xml_item(parent: ET.Element, name: str, item: Any) -> None:
    if isinstance(item, dict):
        node = ET.SubElement(parent, name)
        for key, value in item.items():
            _xml_value(node, key, value)
    else:
        ET.SubElement(parent, name).text = str(item)


def to_xml(root: str, item_name: str | None, data: Any) -> bytes:
    """``data`` under ``<root>``: a list becomes one ``<item_name>`` per element."""
    top = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _xml_item(top, item_name or "item", item)
    else:
        for key, value in data.items():
            _xml_value(top, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def respond(fmt: str, data: Any, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    body = to_xml(root, item, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    """The specification's error list: ``[{"code", "description"}]`` / ``<errors><error>``."""
    return respond(fmt, [{"code": status, "description": description}], root="errors", item="error", status=status)

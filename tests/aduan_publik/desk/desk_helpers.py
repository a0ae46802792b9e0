"""Helpers shared by the desk tests (URLs, logged-in clients, a tiny PNG)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

LIST_URL = "/desk/aduan_publik/complaint/"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(complaint) -> str:
    return reverse("admin:aduan_publik_complaint_change", args=[complaint.pk])


def action_url(complaint, slug: str) -> str:
    return reverse("admin:aduan_publik_complaint_action", args=[complaint.pk, slug])

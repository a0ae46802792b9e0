"""The acknowledgement's access code is sealed at rest (issue 14 point 7): stored as a Fernet token,
opened for sending and for the masked timelines, re-sealed when the key rotates, and old rows sealed
by the migration."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command

from aduan_publik.channels import secrets
from aduan_publik.models import Message
from aduan_publik.portal.selectors import reporter_timeline
from aduan_publik.sealed import PREFIX, seal, unseal
from aduan_publik.selectors.complaints import complaint_threads
from aduan_publik.services.complaints import complaint_create
from aduan_publik.services.sending import message_send

pytestmark = pytest.mark.django_db

migration = importlib.import_module("aduan_publik.migrations.0010_pdp_personal_data")


def _acked(contact, category_jalan):
    complaint, code = complaint_create(channel="web", title="Pohon tumbang", description="Menutup jalan.",
                                       contact=contact, category=category_jalan)
    return complaint, code, Message.objects.get(complaint=complaint, meta__purpose="ack")


def test_the_acknowledgement_is_stored_sealed_and_sent_in_clear(contact, category_jalan):
    _complaint, code, ack = _acked(contact, category_jalan)

    assert ack.body.startswith(PREFIX) and code not in ack.body
    assert code not in json.dumps(ack.meta)
    assert code in unseal(ack.body)

    message_send(message_id=ack.pk)

    assert any(code in m.body for m in mail.outbox)  # the reporter still receives the code
    ack.refresh_from_db()
    assert ack.state == Message.State.SENT


def test_desk_and_portal_timelines_show_the_text_with_the_code_masked(contact, category_jalan):
    complaint, code, _ack = _acked(contact, category_jalan)

    [thread] = complaint_threads(complaint=complaint)
    [entry] = [e for e in thread["messages"] if "Kode akses" in e.body]
    assert code not in entry.body and "•" * len(code) in entry.body and PREFIX not in entry.body
    portal = " ".join(str(getattr(item, "body", "")) for item in reporter_timeline(complaint))
    assert PREFIX not in portal and code not in portal


def test_other_messages_stay_plain(complaint, contact):
    reply = Message.objects.filter(complaint=complaint).exclude(meta__purpose="ack")
    assert not any(m.body.startswith(PREFIX) for m in reply)
    assert unseal("biasa saja") == "biasa saja"


def test_the_migration_seals_old_acknowledgements_and_can_open_them_again(contact, category_jalan):
    _complaint, code, ack = _acked(contact, category_jalan)
    clear, template = unseal(ack.body), unseal(ack.meta["template_text"])
    Message.objects.filter(pk=ack.pk).update(body=clear, meta={**ack.meta, "template_text": template})

    migration._seal_acks(django_apps, None)

    ack.refresh_from_db()
    assert ack.body.startswith(PREFIX) and unseal(ack.body) == clear
    assert unseal(ack.meta["template_text"]) == template and code not in json.dumps(ack.meta)
    migration._seal_acks(django_apps, None)  # idempotent: not sealed twice
    ack.refresh_from_db()
    assert unseal(ack.body) == clear
    migration._open_acks(django_apps, None)
    ack.refresh_from_db()
    assert ack.body == clear


def test_key_rotation_re_seals_the_acknowledgements(settings, tmp_path, contact, category_jalan):
    first = secrets.new_key()
    (tmp_path / "site_config.json").write_text(json.dumps({"secret_key": "x", "channel_keys": [first]}))
    settings.SITE_DIR = tmp_path
    settings.ADUAN = {**settings.ADUAN, "channel_keys": [first]}
    _complaint, _code, ack = _acked(contact, category_jalan)
    clear = unseal(ack.body)

    call_command("rotate_channel_key")

    keys = json.loads((tmp_path / "site_config.json").read_text())["channel_keys"]
    ack.refresh_from_db()
    assert keys != [first] and unseal(ack.body, keys) == clear
    assert unseal(ack.body, [first]) != clear  # the dropped key no longer opens it
    assert seal("x", keys) != seal("x", keys)  # fresh IV each time: equal texts do not show


def test_a_sealed_message_is_named_without_its_ciphertext_or_code(contact, category_jalan):
    _complaint, code, ack = _acked(contact, category_jalan)

    name = str(ack)
    assert PREFIX not in name and code not in name
    assert "kode akses" in name

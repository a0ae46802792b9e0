"""``aduan --site NAME rotate_channel_key``: a new Fernet key for the channels' secrets.

Order matters so that no step leaves secrets unreadable: the new key is first written *in front
of* the old ones in ``site_config.json``, then every Channel document is re-encrypted with it
(one transaction), and only then are the old keys dropped from the file (``--keep-old`` keeps
them). Restart the web and worker processes afterwards: they read the key ring at start-up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aduan_publik.channels import secrets
from aduan_publik.services.channel_instances import channel_keys_rotate
from aduan_publik.services.privacy import sealed_messages_rotate


def _write_keys(path: Path, keys: list[str]) -> None:
    """Replace ``channel_keys`` in the site config atomically (a temporary file, then rename), mode 0600."""
    config = json.loads(path.read_text(encoding="utf-8"))
    config["channel_keys"] = keys
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(config, indent=2) + "\n")
    os.replace(tmp, path)
    settings.ADUAN["channel_keys"] = keys  # this process goes on with the new ring


class Command(BaseCommand):
    help = _("Ganti kunci enkripsi rahasia kanal dan enkripsi ulang semua dokumen kanal.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-old", action="store_true",
                            help=_("simpan kunci lama di site_config.json (bisa dihapus kemudian)"))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(getattr(settings, "SITE_DIR", "")) / "site_config.json"
        if not path.is_file():
            raise CommandError(_("site_config.json situs ini tidak ditemukan: %(p)s") % {"p": path})
        old = secrets.site_keys()
        new = secrets.new_key()
        _write_keys(path, [new, *old])
        try:
            count = channel_keys_rotate(keys=[new, *old])
            sealed = sealed_messages_rotate(keys=[new, *old])  # acknowledgements sealed at rest
        except secrets.SecretsUnreadable as exc:
            raise CommandError(str(exc)) from exc
        except InvalidToken:
            raise CommandError(_("Pesan terenkripsi tidak dapat dibuka dengan kunci situs (channel_keys); "
                                 "kunci lama tetap disimpan.")) from None
        if not options["keep_old"]:
            _write_keys(path, [new])
        self.stdout.write(_("%(n)d dokumen kanal dienkripsi ulang dengan kunci baru. Mulai ulang proses web dan "
                            "worker agar memakai kunci baru.") % {"n": count})
        self.stdout.write(_("%(n)d pesan terenkripsi (tanda terima) dienkripsi ulang.") % {"n": sealed})

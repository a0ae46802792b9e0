"""A real rq worker process for the reliability tests (``python wa_worker.py``).

It uses the test database and Redis named in the environment, and the WhatsApp settings from
``WA_CONFIG`` (JSON). A ``SimpleWorker`` runs jobs in this very process, so killing the
process kills the job mid-flight, as a crashed or OOM-killed worker would.
"""

from __future__ import annotations

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    django.setup()
    from django.conf import settings

    settings.ADUAN["channels"]["whatsapp"] = json.loads(os.environ["WA_CONFIG"])
    import django_rq
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


if __name__ == "__main__":
    main()

"""A real rq worker process for the broadcast crash tests (``python bc_worker.py``).

Test database and Redis from the environment; WhatsApp and broadcast settings from
``BC_ADUAN`` (JSON: ``channels`` and ``broadcast``). ``SimpleWorker`` runs the job in this
very process, so SIGKILL kills it mid-send.
"""

from __future__ import annotations

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    django.setup()
    from django.conf import settings

    settings.ADUAN.update(json.loads(os.environ["BC_ADUAN"]))
    import django_rq
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


if __name__ == "__main__":
    main()

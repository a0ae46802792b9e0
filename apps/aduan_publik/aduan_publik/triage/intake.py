"""Intake's one hook into triage: queue the advice job once the new complaint is committed.

Below the services that call it: the job is named by its dotted path (stored in Redis: keep it
stable), so intake never imports the jobs module.
"""

from __future__ import annotations

from django.db import transaction

from .. import queueing

TRIAGE_JOB = "aduan_publik.triage.jobs.triage_complaint"


def triage_on_commit(complaint_id: int) -> None:
    """Suggest in a job after commit (the advice never blocks intake); nothing when triage is off."""
    from . import store  # loads the model's modules: only when a complaint is created

    if not store.options()["enabled"]:
        return
    # The "short" queue: advice must never wait behind (or hold up) sends and inbound processing.
    transaction.on_commit(lambda: queueing.enqueue(TRIAGE_JOB, complaint_id, queue="short",
                                                   job_id=f"triage-{complaint_id}"))

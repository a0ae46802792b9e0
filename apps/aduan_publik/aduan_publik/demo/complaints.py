"""A few hundred demo complaints, driven through the real services on a simulated clock.

Why a simulated clock: the audit trail, deadlines and overdue flags must be the ones the
services write, at the moments they would have written them. Every service reads time
through ``django.utils.timezone.now`` (``auto_now`` fields too), so the simulation patches
that one function with a clock it moves forward, runs every complaint's steps and a nightly
deadline sweep in chronological order, and stops at the real present. Nothing is rewritten
afterwards. Outbound messages are never sent: their jobs are swallowed while seeding and the
rows are marked as delivered history (see :func:`_mark_history_sent`).
"""

from __future__ import annotations

import heapq
import random
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..calendar import WorkingCalendar
from ..channels.registry import all_channels
from ..models import OPD, Area, Category, Complaint, Contact, Message
from ..services import complaints as svc
from ..services import dispositions as opd_svc
from ..services.lifecycle import complaint_rate, deadlines_sweep
from ..workflow import WorkflowError
from . import DEMO_EXTERNAL_PREFIX
from .city import AREAS, FORWARD_TARGETS
from .people import new_contact
from .reference import opd_logins
from .stories import FOLLOWUPS, POSTPONE_REQUESTS, RATING_COMMENTS, RETURN_REASONS, STORIES
from .timeline import GUARANTEED, SCENARIOS, Plan, Step, plan_steps

S = Complaint.Status


class Clock:
    """The simulated "now" the services read while seeding."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Seeder:
    count: int
    seed: int
    rng: random.Random = field(init=False)
    real_now: datetime = field(default_factory=timezone.now)
    users: dict[str, Any] = field(default_factory=dict)
    done: dict[int, Complaint] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # seeded: reproducible demo data
        self.channels = [c for c in ("web", "manual", "whatsapp", "lapor") if c in all_channels()]
        self.leaves = list(Category.objects.filter(code__in=STORIES).select_related("parent", "default_opd"))
        self.kecamatan = {a.name: a for a in Area.objects.filter(level=Area.Level.KECAMATAN)}
        self.kelurahan = {a.name: a for a in Area.objects.filter(level=Area.Level.KELURAHAN)}
        self.opds = {o.code: o for o in OPD.objects.all()}
        self.users = {u.username: u for u in get_user_model().objects.select_related("aduan_profile")}

    # ---- planning --------------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        plans = [self._plan(i, GUARANTEED[i] if i < len(GUARANTEED) else self._scenario())
                 for i in range(self.count)]
        plans.sort(key=lambda p: p.received_at)
        return plans

    def _scenario(self) -> str:
        names, weights = zip(*((name, spec.weight) for name, spec in SCENARIOS.items()), strict=True)
        return self.rng.choices(names, weights)[0]

    def _plan(self, index: int, scenario: str) -> Plan:
        leaf = self.rng.choice(self.leaves)
        kec_name = self.rng.choice(list(AREAS))
        channel = self.rng.choice(self.channels)
        if "reply" in SCENARIOS[scenario].steps and channel in ("manual", "lapor"):
            channel = "web"  # the reporter answers on a channel that carries replies
        plan = Plan(index=index, scenario=scenario, leaf=leaf, kecamatan=kec_name, channel=channel,
                    received_at=self.real_now)
        for _attempt in range(30):  # redraw until the story fits before today
            plan.received_at, plan.steps = plan_steps(self.rng, scenario, self.real_now)
            if plan.steps is not None:
                break
        else:
            plan.steps = [Step(plan.received_at, "create")]
        return plan

    # ---- running -----------------------------------------------------------------------------

    def run(self) -> Tally[str]:
        plans = self.plans()
        queue: list[tuple[datetime, int, int, str]] = []
        for plan in plans:
            for n, step in enumerate(plan.steps or ()):
                heapq.heappush(queue, (step.at, plan.index, n, step.name))
        by_index = {p.index: p for p in plans}
        clock = Clock(plans[0].received_at if plans else self.real_now)
        next_sweep = _night_after(clock.moment)
        with mock.patch("django.utils.timezone.now", new=clock), \
                mock.patch("aduan_publik.queueing.enqueue_on_commit", new=_swallow):
            while queue:
                at, index, _n, name = heapq.heappop(queue)
                while next_sweep <= at:
                    clock.moment = next_sweep
                    deadlines_sweep(now=next_sweep)
                    next_sweep += timedelta(days=1)
                clock.moment = at
                self._step(by_index[index], name)
            clock.moment = self.real_now
            deadlines_sweep(now=self.real_now)
        _mark_history_sent(list(self.done.values()))
        return Tally(c.status for c in Complaint.objects.filter(pk__in=[c.pk for c in self.done.values()]))

    def _step(self, plan: Plan, name: str) -> None:
        if name == "create":
            self.done[plan.index] = self._create(plan)
            return
        complaint = Complaint.objects.get(pk=self.done[plan.index].pk)
        try:
            getattr(self, f"_do_{name}")(plan, complaint)
        except WorkflowError as exc:  # reported in the summary; one odd story must not stop the seed
            self.failures.append(f"{complaint.tracking_number} {name}: {exc.messages[0]}")

    def _create(self, plan: Plan) -> Complaint:
        title, body = self.rng.choice(STORIES[plan.leaf.code])
        info = AREAS[plan.kecamatan]
        kel_name = self.rng.choice(info["kelurahan"])
        street = self.rng.choice(info["streets"])
        words = {"street": street, "kelurahan": kel_name, "rt": f"{self.rng.randint(1, 12):03d}"}
        lat, lon = info["centre"]
        secret = plan.leaf.code == "pungli" or self.rng.random() < 0.06
        contact = None if plan.channel == "manual" and self.rng.random() < 0.3 else self._contact(plan)
        complaint, _code = svc.complaint_create(
            channel=plan.channel, title=title.format(**words), description=body.format(**words),
            contact=contact, kind=self._kind(), category=None if plan.channel == "whatsapp" else plan.leaf,
            location_text=f"{street}, Kel. {kel_name}, Kec. {plan.kecamatan}",
            kecamatan=self.kecamatan[plan.kecamatan], kelurahan=self.kelurahan[kel_name],
            latitude=_jitter(self.rng, lat), longitude=_jitter(self.rng, lon),
            is_anonymous=secret or self.rng.random() < 0.12, is_secret=secret,
            external_id=f"{DEMO_EXTERNAL_PREFIX}{plan.index:05d}",
            priority=self._priority(plan), by=self.users["admin"] if plan.channel == "manual" else None,
        )
        return complaint

    def _contact(self, plan: Plan) -> Contact:
        contact = new_contact(self.rng, plan.channel, plan.index)
        existing = Contact.objects.filter(channel=contact.channel, user_id=contact.user_id).first()
        if existing is not None:
            return existing  # a resident who complained before
        contact.save()
        return contact

    def _kind(self) -> str:
        return self.rng.choices(Complaint.Kind.values, [85, 8, 7])[0]

    def _priority(self, plan: Plan) -> str:
        if plan.leaf.parent and plan.leaf.parent.code == "bencana":
            return self.rng.choice([Complaint.Priority.HIGH, Complaint.Priority.URGENT])
        return self.rng.choices(Complaint.Priority.values, [10, 75, 12, 3])[0]

    # ---- steps: each calls one service as the role that would -------------------------------

    def _admin(self) -> Any:
        return self.users["admin"]

    def _staff(self, opd: OPD, role: str) -> Any:
        liaison, operator = opd_logins(opd.code)
        return self.users[liaison if role == "liaison" else operator]

    def _right_opd(self, plan: Plan) -> OPD:
        return plan.leaf.default_opd or self.opds["SETDA"]

    def _wrong_opd(self, plan: Plan) -> OPD:
        return self.opds[AREAS[plan.kecamatan]["opd"]]  # sent to the kecamatan first, who returns it

    def _verify(self, complaint: Complaint, plan: Plan, opds: list[OPD]) -> None:
        svc.complaint_verify(
            complaint=complaint, by=self._admin(), opds=opds, category=plan.leaf,
            instruction="Mohon ditindaklanjuti sesuai kewenangan.",
            field_check=self.rng.random() < 0.15 if complaint.verified_at is None else None,
            is_anonymous=True if self.rng.random() < 0.05 else None,
        )

    def _do_verify(self, plan: Plan, complaint: Complaint) -> None:
        self._verify(complaint, plan, [self._right_opd(plan)])

    def _do_verify_wrong(self, plan: Plan, complaint: Complaint) -> None:
        self._verify(complaint, plan, [self._wrong_opd(plan)])

    def _do_verify_multi(self, plan: Plan, complaint: Complaint) -> None:
        self._verify(complaint, plan, [self._right_opd(plan), self._wrong_opd(plan)])

    def _do_return(self, plan: Plan, complaint: Complaint) -> None:
        for disposition in complaint.dispositions.filter(state__in=("pending", "accepted")):
            opd_svc.disposition_return(disposition=disposition, by=self._staff(disposition.opd, "liaison"),
                                       reason=self.rng.choice(RETURN_REASONS))

    def _do_accept(self, plan: Plan, complaint: Complaint) -> None:
        for disposition in complaint.dispositions.filter(state="pending").select_related("opd"):
            opd_svc.disposition_accept(disposition=disposition, by=self._staff(disposition.opd, "operator"))

    def _do_draft(self, plan: Plan, complaint: Complaint) -> None:
        for disposition in complaint.dispositions.filter(state="accepted").select_related("opd"):
            opd_svc.followup_draft(disposition=disposition, by=self._staff(disposition.opd, "operator"),
                                   body=self._followup_text(plan))

    def _do_publish(self, plan: Plan, complaint: Complaint) -> None:
        for disposition in complaint.dispositions.filter(state__in=("pending", "accepted")).select_related("opd"):
            draft = opd_svc.followup_draft(disposition=disposition, by=self._staff(disposition.opd, "operator"),
                                           body=self._followup_text(plan))
            opd_svc.followup_publish(followup=draft, by=self._staff(disposition.opd, "liaison"))

    def _followup_text(self, plan: Plan) -> str:
        top = plan.leaf.parent.code if plan.leaf.parent else plan.leaf.code
        return self.rng.choice(FOLLOWUPS[top])

    def _do_rate(self, plan: Plan, complaint: Complaint) -> None:
        if complaint.status == S.ANSWERED:
            complaint_rate(complaint=complaint, rating=self.rng.choices([5, 4, 3, 2, 1], [45, 30, 13, 7, 5])[0],
                           comment=self.rng.choice(RATING_COMMENTS))

    def _do_postpone(self, plan: Plan, complaint: Complaint) -> None:
        svc.complaint_postpone(complaint=complaint, by=self._admin(), request_text=self.rng.choice(POSTPONE_REQUESTS))

    def _do_reply(self, plan: Plan, complaint: Complaint) -> None:
        from .people import reporter_reply

        reporter_reply(complaint, plan.index, self.rng)

    def _do_archive(self, plan: Plan, complaint: Complaint) -> None:
        reason = self.rng.choice(["spam", "unclear", "suggestion", "no_response"])
        svc.complaint_archive(complaint=complaint, by=self._admin(), reason=reason,
                              note="Diarsipkan oleh admin (data demo).")

    def _do_merge(self, plan: Plan, complaint: Complaint) -> None:
        original = (Complaint.objects.filter(category=plan.leaf, received_at__lt=complaint.received_at,
                                             duplicate_of__isnull=True).exclude(pk=complaint.pk).first())
        if original is None:
            self._do_archive(plan, complaint)
            return
        svc.complaint_merge(complaint=complaint, into=original, by=self._admin(), note="Laporan yang sama.")

    def _do_not_authority(self, plan: Plan, complaint: Complaint) -> None:
        svc.complaint_mark_not_authority(complaint=complaint, by=self._admin(),
                                         forwarded_to=self.rng.choice(FORWARD_TARGETS),
                                         note="Diteruskan melalui SP4N-LAPOR!.")


def _swallow(*args: Any, **kwargs: Any) -> None:
    """Stands in for ``queueing.enqueue_on_commit`` while seeding: history is never sent or synced."""


def _jitter(rng: random.Random, value: float) -> Decimal:
    return Decimal(f"{value + rng.uniform(-0.008, 0.008):.6f}")


def _night_after(moment: datetime) -> datetime:
    """01:00 local time of the next day: when the demo's nightly sweep runs."""
    local = timezone.localtime(moment, WorkingCalendar().tz).date() + timedelta(days=1)
    return datetime.combine(local, time(1, 0), tzinfo=WorkingCalendar().tz)


def _mark_history_sent(complaints: list[Complaint]) -> int:
    """Seeded outbound messages are history: mark them sent so no worker (or sweep) sends them later.

    Their jobs were swallowed while seeding, and the demo queues no attachments, so ``meta``
    holds nothing worth keeping besides the marker.
    """
    return Message.objects.filter(
        complaint__in=complaints, direction=Message.Direction.OUT,
        state__in=(Message.State.QUEUED, Message.State.SENDING),
    ).update(state=Message.State.SENT, sent_at=F("created_at"), state_changed_at=F("created_at"),
             meta={"demo": "riwayat data demo, tidak benar-benar dikirim"})


def demo_complaints():  # type: ignore[no-untyped-def]
    """The complaints this module created (marked by their external id)."""
    return Complaint.objects.filter(external_id__startswith=DEMO_EXTERNAL_PREFIX)


@transaction.atomic
def demo_complaints_delete() -> int:
    """Remove the demo complaints (duplicates first: they point at their originals) and their reporters."""
    from ..services.figure_aggregates import complaints_figures_mark

    count = 0
    # Their share of the figures is taken out by the next refresh (seed_demo settles at once).
    complaints_figures_mark(ids=demo_complaints().values_list("pk", flat=True))
    for batch in (demo_complaints().filter(duplicate_of__isnull=False), demo_complaints()):
        count += batch.count()
        batch.delete()
    Contact.objects.filter(user_id__startswith=DEMO_EXTERNAL_PREFIX, complaints__isnull=True,
                           messages__isnull=True).delete()
    return count

"""Several machines in miniature (issue 14 point 3, docs/deploy.md).

Two web servers and two RQ workers, started with the Procfile's own ``web`` and ``worker`` commands
as real processes on free 127.0.0.1 ports, share one PostgreSQL database (the test database) and the
test run's Redis database, as the machines of a city's cluster would. WhatsApp deliveries signed like
Meta signs them and portal submissions arrive over HTTP alternating between the servers, some sent to
both servers at once. After the workers drain: every accepted message is one ``Message``, every
complaint exists once, every acknowledgement reached the fake Graph API once, no job failed, and
both workers did some of the work. A desk session opened on one server works on the other, and a
file uploaded through one is downloaded through the other (the site's S3 bucket, moto's server).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django_rq
import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from fakes.graph_api import TOKEN, FakeGraphAPI
from fakes.s3_server import bucket_objects, free_port, moto_s3, wait_listening
from rq.job import Job
from rq.worker import Worker

from aduan_publik import sites
from aduan_publik.models import Attachment, Complaint, InboundEvent, Message, Role
from aduan_publik.testing.samples import png_bytes
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]

BENCH = Path(__file__).resolve().parents[3]
SITE = "kota"
APP_SECRET = "cluster-app-secret"
PHONE_NUMBER_ID = "106540352242922"
WEBHOOK = "/channels/whatsapp/webhook"
SENDERS = 10  # residents writing on WhatsApp, one message each
RACED = 3  # of them, delivered to both servers at the same moment (Meta retrying on another connection)
PORTAL = 2  # complaints sent through the portal form
PASSWORD = "kata-sandi-klaster-2026"
QUEUES = ("default", "short", "long")
# Variables of the test process that must not reach a production-settings process.
TEST_ONLY_ENV = ("ADUAN_TESTING", "ADUAN_SECRET_KEY", "ADUAN_DEBUG", "ADUAN_RQ_ASYNC", "DJANGO_ALLOW_ASYNC_UNSAFE")


@dataclass
class Cluster:
    webs: list[str]  # base URLs of the two web servers
    graph: FakeGraphAPI
    storage: dict[str, Any]
    logs: list[Path]

    def log_text(self) -> str:
        return "\n".join(f"==== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.logs if p.exists())


# ---- the cluster ---------------------------------------------------------------------------------


def _procfile() -> dict[str, str]:
    lines = (BENCH / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line and not line.lstrip().startswith("#"))


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _site_env(sites_dir: Path, graph: FakeGraphAPI, storage: dict[str, Any]) -> dict[str, str]:
    """A production-like site (``aduan new-site``) whose processes all use the test database and Redis."""
    from django.conf import settings

    sites.create_site(sites_dir, SITE, city_name="Kota Klaster")
    path = sites_dir / SITE / "site_config.json"
    config = json.loads(path.read_text())
    config.update(
        allowed_hosts=["127.0.0.1"], storage=storage,
        # Every resident of the test writes from 127.0.0.1: the portal's per-address limits are lifted.
        portal_rates={"submit_ip": "1000/h", "submit_contact": "1000/h"},
        # Triage is advice computed per complaint by a model (seconds of CPU each, bench/bench_triage.py);
        # switched off so the test measures the pipeline, not scikit-learn on a shared machine.
        triage={"enabled": False},
        channels={"whatsapp": {
            "phone_number_id": PHONE_NUMBER_ID, "access_token": TOKEN, "app_secret": APP_SECRET,
            "verify_token": "cluster-verify", "graph_base_url": graph.base_url, "graph_version": graph.version,
            "reply_template": "aduan_balasan", "reply_template_language": "id", "timeout": 5}},
    )
    path.write_text(json.dumps(config))
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    env.update(ADUAN_SITES_DIR=str(sites_dir), ADUAN_SITE=SITE, DJANGO_SETTINGS_MODULE="config.settings",
               ADUAN_DATABASE_URL=_database_url(), ADUAN_REDIS_URL=settings.REDIS_URL, PYTHONUNBUFFERED="1",
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return env


def _spawn(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A Procfile line run as honcho runs it (a shell in the bench folder), in its own process group."""
    with log.open("wb") as out:
        return subprocess.Popen(["bash", "-c", command], cwd=BENCH, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the process group (gunicorn: quick shutdown; rq: warm shutdown, the work is done by now),
    SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def _wait_workers(count: int, processes: list[subprocess.Popen[bytes]]) -> None:
    """Until ``count`` rq workers have registered in Redis (start-up wait; fails if one exits)."""
    conn = django_rq.get_connection("default")
    for _ in range(1200):
        if len(Worker.all(connection=conn)) >= count:
            return
        assert all(p.poll() is None for p in processes), "an rq worker exited during start-up"
        time.sleep(0.1)
    pytest.fail("the rq workers did not start")


@pytest.fixture
def cluster(tmp_path: Path, transactional_db: None) -> Iterator[Cluster]:
    if connection.vendor != "postgresql":
        pytest.skip("several machines share one PostgreSQL database: run with ADUAN_DATABASE_URL=postgres://…")
    procfile = _procfile()
    with FakeGraphAPI() as graph, moto_s3() as storage:
        env = _site_env(tmp_path / "sites", graph, storage)
        ports = [free_port(), free_port()]
        logs = [tmp_path / name for name in ("web1.log", "web2.log", "worker1.log", "worker2.log")]
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for n, port in enumerate(ports):
                web_env = {**env, "ADUAN_BIND": f"127.0.0.1:{port}", "ADUAN_WEB_WORKERS": "1",
                           "ADUAN_WEB_THREADS": "4", "ADUAN_CONTROL_SOCKET": str(tmp_path / f"web{n}.ctl")}
                processes.append(_spawn(procfile["web"], web_env, logs[n]))
            processes += [_spawn(procfile["worker"], env, logs[2 + n]) for n in range(2)]
            made = Cluster(webs=[f"http://127.0.0.1:{p}" for p in ports], graph=graph, storage=storage, logs=logs)
            try:
                for port, process in zip(ports, processes, strict=False):
                    wait_listening(port, process, "gunicorn")
                _wait_workers(2, processes[2:])
            except (RuntimeError, AssertionError) as exc:
                pytest.fail(f"{exc}\n{made.log_text()}")
            yield made
        finally:
            for process in processes:
                _stop(process)


# ---- the work ------------------------------------------------------------------------------------


def _wa_id(n: int) -> str:
    return f"6281300{n:05d}"


def _delivery(n: int, *, at: int | None = None) -> bytes:
    """Meta's webhook body for one text message from resident ``n``."""
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "628110000000", "phone_number_id": PHONE_NUMBER_ID},
             "contacts": [{"profile": {"name": f"Warga {n}"}, "wa_id": _wa_id(n)}],
             "messages": [{"from": _wa_id(n), "id": f"wamid.CLUSTER{n:04d}", "timestamp": str(at or int(time.time())),
                           "type": "text",
                           "text": {"body": f"Lampu jalan di gang {n} padam sejak tiga hari, mohon diperbaiki."}}]}
    entry = {"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def _post_delivery(base: str, body: bytes) -> int:
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = requests.post(base + WEBHOOK, data=body, timeout=30,
                             headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    return response.status_code


def _at_once(*calls: tuple[Any, ...]) -> list[Any]:
    """Run each ``(function, *args)`` in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, func: Any, *args: Any) -> None:
        barrier.wait(timeout=30)
        results[i] = func(*args)

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _send_whatsapp(webs: list[str]) -> list[int]:
    statuses = []
    for n in range(SENDERS):
        body, here, there = _delivery(n), webs[n % 2], webs[(n + 1) % 2]
        if n < RACED:  # the same delivery to both servers at the same moment
            statuses += _at_once((_post_delivery, here, body), (_post_delivery, there, body))
        else:
            statuses.append(_post_delivery(here, body))
    # A redelivery of message 0 in a new envelope (another timestamp), later, through the other server.
    statuses.append(_post_delivery(webs[1], _delivery(0, at=int(time.time()) + 5)))
    return statuses


def _form(session: requests.Session, base: str) -> dict[str, str]:
    """Load the complaint form like a browser and fill it (the captcha read off the page)."""
    html = session.get(base + "/aduan/baru/", timeout=30).text
    a, b = re.search(r'class="sum">(\d+) \+ (\d+)<', html).groups()  # type: ignore[union-attr]

    def hidden(name: str) -> str:
        return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]

    return {"csrfmiddlewaretoken": hidden("csrfmiddlewaretoken"), "submit_token": hidden("submit_token"),
            "captcha_token": hidden("captcha_token"), "captcha_answer": str(int(a) + int(b)),
            "kind": "pengaduan", "title": "Saluran air tersumbat",
            "description": "Saluran air di depan pasar tersumbat sampah, jalan tergenang setiap hujan.",
            "location_text": "Jl. Tanjungpura depan pasar", "email": "", "website": ""}


def _send_portal(webs: list[str]) -> tuple[list[str], bytes]:
    """Complaints through the portal: form from one server, sent to the other; the last one with a photo
    and sent twice (a double click that lands on both servers). Returns the receipt addresses and the photo."""
    receipts, photo = [], png_bytes((40, 30))
    for n in range(PORTAL):
        session = requests.Session()  # one browser; its cookies go to both servers (one host name)
        data = {**_form(session, webs[n % 2]), "email": f"warga{n}@example.org"}
        target = webs[(n + 1) % 2]
        files = {"attachments": ("saluran.png", photo, "image/png")} if n == PORTAL - 1 else None
        sent = session.post(target + "/aduan/baru/", data=data, files=files, allow_redirects=False, timeout=30)
        assert sent.status_code == 302, sent.text[-2000:]
        receipts.append(sent.headers["Location"])
        if n == PORTAL - 1:
            again = session.post(webs[n % 2] + "/aduan/baru/", data=data, files=files, allow_redirects=False,
                                 timeout=30)
            assert again.status_code == 302 and again.headers["Location"] == sent.headers["Location"]
        session.close()  # no kept-alive connection holds a gunicorn thread at shutdown
    return receipts, photo


def _idle() -> bool:
    queues = [django_rq.get_queue(name) for name in QUEUES]
    return not any(q.count or q.started_job_registry.count or q.scheduled_job_registry.count for q in queues)


def _drain(cluster: Cluster, sends: int) -> None:
    """Until the workers are idle with every delivery processed and every acknowledgement sent."""
    for _ in range(1200):
        done = (not InboundEvent.objects.filter(state="pending").exists()
                and not Message.objects.filter(direction="out", state__in=["queued", "sending"]).exists()
                and len(cluster.graph.sends()) >= sends)
        if done and _idle():
            return
        time.sleep(0.1)
    pytest.fail(f"the workers did not drain the work\n{cluster.log_text()}")


def _jobs_by_worker() -> dict[str, list[str]]:
    """Worker name → descriptions of the jobs it finished (RQ keeps finished jobs for 500 s)."""
    conn = django_rq.get_connection("default")
    done: dict[str, list[str]] = {}
    for name in QUEUES:
        ids = django_rq.get_queue(name).finished_job_registry.get_job_ids()
        for job in Job.fetch_many(ids, connection=conn):
            if job is not None:
                done.setdefault(job.worker_name or "?", []).append(job.func_name)
    return done


# ---- the test ------------------------------------------------------------------------------------


def test_two_web_servers_and_two_workers_lose_nothing_and_double_nothing(cluster: Cluster) -> None:
    webs = cluster.webs
    statuses = _send_whatsapp(webs)
    assert set(statuses) == {200}, statuses
    receipts, photo = _send_portal(webs)
    _drain(cluster, sends=SENDERS)

    # Every accepted WhatsApp message is exactly one Message, and each opened one complaint.
    inbound = Message.objects.filter(channel="whatsapp", direction="in")
    assert sorted(inbound.values_list("external_id", flat=True)) == [f"wamid.CLUSTER{n:04d}" for n in range(SENDERS)]
    assert Complaint.objects.filter(channel="whatsapp").count() == SENDERS
    assert Complaint.objects.filter(channel="web").count() == PORTAL == len(set(receipts))
    assert Complaint.objects.count() == SENDERS + PORTAL
    # Each acknowledgement reached the Graph API exactly once, one per resident.
    sent_to = sorted(s["json"]["to"] for s in cluster.graph.sends())
    assert sent_to == sorted(_wa_id(n) for n in range(SENDERS))
    assert set(Message.objects.filter(channel="whatsapp", direction="out").values_list("state", flat=True)) == {
        "sent"}
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {"processed"}
    # No job failed, and both workers did part of the work.
    assert [django_rq.get_queue(q).failed_job_registry.count for q in QUEUES] == [0, 0, 0], cluster.log_text()
    by_worker = _jobs_by_worker()
    workers = {w.name for w in Worker.all(connection=django_rq.get_connection("default"))}
    assert set(by_worker) == workers and len(workers) == 2, by_worker
    assert all(by_worker[w] for w in workers)

    _desk_session_and_file_cross_servers(cluster, photo)


def _desk_session_and_file_cross_servers(cluster: Cluster, photo: bytes) -> None:
    """Signed in through web 1, the session works on web 2; the photo sent through web 1 (form
    submitted to web 2 or 1) is read back through web 2 from the shared bucket."""
    admin = make_user("admin.klaster", Role.ADMIN)
    admin.password = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8))  # the web's own hasher
    admin.save(update_fields=["password"])
    web1, web2 = cluster.webs
    desk = requests.Session()
    login = desk.get(web1 + "/desk/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    signed_in = desk.post(web1 + "/desk/login/?next=/desk/", allow_redirects=False, timeout=30,
                          data={"csrfmiddlewaretoken": token, "username": "admin.klaster", "password": PASSWORD,
                                "next": "/desk/"})
    assert signed_in.status_code == 302 and "/login/" not in signed_in.headers["Location"], signed_in.text[-2000:]
    page = desk.get(web2 + "/desk/", allow_redirects=False, timeout=30)
    assert page.status_code == 200  # not sent back to the sign-in page: the session is shared

    attachment = Attachment.objects.get()
    assert bucket_objects(cluster.storage) == {attachment.file.name: photo}
    for base in (web2, web1):
        download = desk.get(f"{base}/files/{attachment.pk}/", timeout=30)
        assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == attachment.sha256
    desk.close()

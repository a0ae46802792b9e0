"""Demo data: a city modelled on Kota Pontianak, its staff and a few hundred complaints.

Built by ``manage.py seed_demo``. Reference data (OPDs, areas, categories, users) lives in
:mod:`.city` and :mod:`.reference`; the complaint stories in :mod:`.stories`; the simulation
that drives them through the real services in :mod:`.complaints`.
"""

DEMO_PASSWORD = "aduan-demo"  # noqa: S105 (a published demo login, see README)
DEMO_EXTERNAL_PREFIX = "demo-"
# Demo logins carry this address (reserved ``.invalid``): how a demo login is told from a real
# account with the same username (``admin`` is common on real sites too).
DEMO_EMAIL_DOMAIN = "pontianak.go.id.invalid"

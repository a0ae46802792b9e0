"""The ``aduan`` command: a small bench tool in the spirit of Frappe's ``bench``.

::

    aduan new-site NAME [--db-url URL] [--redis-url URL] [--time-zone WIB|WITA|WIT|Area/City]
                        [--language id|en] [--city "Kota Pontianak"] [--site-url https://HOST]
    aduan use NAME                      # writes sites/currentsite.txt
    aduan list-sites
    aduan [--site NAME] start [--dry-run]
    aduan [--site NAME] DJANGO_COMMAND [ARGS...]   # migrate, seed_demo, createsuperuser, shell, ...

The bench is the nearest folder at or above the current directory holding ``config/`` and
``sites/`` (or ``ADUAN_BENCH``). The site is ``--site``, else ``ADUAN_SITE``, else
``sites/currentsite.txt``, else ``default``. Everything except ``start`` and the Django commands
works without Django, so a fresh bench can be set up before any database exists.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import sites

OWN_COMMANDS = ("new-site", "use", "list-sites", "start")
LOCAL_REDIS_PORT = 11311  # config/redis.conf: the bench's own redis-server, away from 6379
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_BIND = "127.0.0.1:8000"


class CliError(Exception):
    """A user error: printed as ``aduan: <message>``, exit status 1."""


@dataclass(frozen=True)
class Bench:
    root: Path
    sites_dir: Path

    @classmethod
    def locate(cls) -> Bench:
        explicit = os.environ.get("ADUAN_BENCH")
        root = Path(explicit).resolve() if explicit else sites.find_bench(Path.cwd().resolve())
        if root is None or not (root / "config").is_dir():
            raise CliError(
                "no bench here: run aduan inside a folder holding config/ and sites/, or set ADUAN_BENCH"
            )
        sites_dir = Path(os.environ.get("ADUAN_SITES_DIR") or root / "sites")
        return cls(root=root, sites_dir=sites_dir)

    def site_name(self, given: str | None) -> str:
        name = given or os.environ.get("ADUAN_SITE") or sites.current_site(self.sites_dir) or "default"
        sites.site_dir(self.sites_dir, name)  # validates the name
        return name

    def existing_site(self, given: str | None) -> str:
        name = self.site_name(given)
        if name not in sites.list_sites(self.sites_dir):
            raise CliError(f"site {name!r} does not exist: create it with `aduan new-site {name}`")
        return name

    def environ(self, site: str) -> dict[str, str]:
        """The environment for Django and the Procfile processes of ``site``."""
        env = dict(os.environ)
        env.update(
            ADUAN_SITE=site,
            ADUAN_SITES_DIR=str(self.sites_dir),
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONUNBUFFERED="1",
        )
        # The venv's gunicorn, python and honcho come first, activated or not.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        return env


# ---- new-site / use / list-sites -----------------------------------------------------------


def cmd_new_site(bench: Bench, args: argparse.Namespace) -> int:
    folder = sites.create_site(
        bench.sites_dir, args.name, db_url=args.db_url, redis_url=args.redis_url,
        time_zone=args.time_zone, language=args.language, city_name=args.city, site_url=args.site_url,
        demo=args.demo,
    )
    config = sites.load_site_config(bench.sites_dir, args.name)
    print(f"Site {args.name!r} created in {folder}")
    print(f"  config:    {folder / 'site_config.json'} (mode 0600, secret key generated)")
    print(f"  database:  {config.get('db_url') or 'SQLite (WAL) at ' + str(folder / 'site.sqlite3')}")
    print(f"  redis:     {config.get('redis_url') or DEFAULT_REDIS_URL + ' (default)'}")
    print(f"  time zone: {config['time_zone']}, language: {config['language']}, city: {config['city_name']}")
    if config.get("site_url"):
        print(f"  address:   {config['site_url']} (allowed_hosts: {', '.join(config['allowed_hosts'])})")
    print(f"Next: aduan --site {args.name} migrate")
    return 0


def cmd_use(bench: Bench, args: argparse.Namespace) -> int:
    path = sites.use_site(bench.sites_dir, args.name)
    print(f"Current site is now {args.name!r} ({path})")
    return 0


def cmd_list_sites(bench: Bench, args: argparse.Namespace) -> int:
    names = sites.list_sites(bench.sites_dir)
    if not names:
        print(f"No sites in {bench.sites_dir}: create one with `aduan new-site NAME`")
        return 0
    current = bench.site_name(None)
    for name in names:
        print(f"{'*' if name == current else ' '} {name}")
    return 0


# ---- start -----------------------------------------------------------------------------------


def redis_answers(url: str) -> bool:
    """Whether a Redis answers PING at ``url`` (a plain socket: no dependency, one second at most)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def uses_local_redis(url: str) -> bool:
    parts = urlsplit(url)
    return parts.hostname in ("127.0.0.1", "localhost") and parts.port == LOCAL_REDIS_PORT


def start_plan(bench: Bench, site: str) -> tuple[list[str], list[str]]:
    """The honcho command line for ``site`` and notes for the user.

    The bench's own redis-server runs only when the site points at it and nothing answers
    there yet; a site on another Redis (a shared server, a managed one) never starts it.
    """
    config = sites.load_site_config(bench.sites_dir, site)
    redis_url = os.environ.get("ADUAN_REDIS_URL") or config.get("redis_url") or DEFAULT_REDIS_URL
    processes, notes = ["web", "worker", "scheduler"], []
    if not uses_local_redis(redis_url):
        notes.append(f"Redis at {redis_url} is not the bench's own: the redis process is not started")
    elif redis_answers(redis_url):
        notes.append(f"a Redis already answers at {redis_url}: using it")
    else:
        processes.append("redis")
    bind = os.environ.get("ADUAN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
    port = bind.rsplit(":", 1)[-1]
    honcho = [sys.executable, "-m", "honcho", "start", "--procfile", str(bench.root / "Procfile"),
              "--app-root", str(bench.root)]
    # web is the Procfile's first process, so honcho hands it PORT=<port>.
    return [*honcho, "--port", port if port.isdigit() else "8000", *processes], notes


def cmd_start(bench: Bench, args: argparse.Namespace) -> int:
    site = bench.existing_site(args.site)
    command, notes = start_plan(bench, site)
    for note in notes:
        print(f"aduan: {note}")
    if args.dry_run:
        print(" ".join(command))
        return 0
    (bench.root / "var" / "redis").mkdir(parents=True, exist_ok=True)
    env = bench.environ(site)
    env.pop("PORT", None)  # honcho assigns it
    os.chdir(bench.root)
    os.execve(command[0], command, env)  # noqa: S606 -- a fixed argv, no shell: honcho replaces us
    return 0  # not reached


# ---- Django commands -------------------------------------------------------------------------


def run_django(bench: Bench, site_arg: str | None, argv: list[str]) -> int:
    """Run a Django management command for the site, in this process."""
    site = bench.existing_site(site_arg)
    os.environ.update(bench.environ(site))
    sys.path.insert(0, str(bench.root))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aduan", *argv])
    return 0


# ---- argument parsing ------------------------------------------------------------------------


def _own_parsers() -> dict[str, argparse.ArgumentParser]:
    new_site = argparse.ArgumentParser(prog="aduan new-site", description="Create sites/NAME/.")
    new_site.add_argument("name")
    new_site.add_argument("--db-url", help="database URL (default: SQLite in the site folder)")
    new_site.add_argument("--redis-url", help=f"Redis URL (default: {DEFAULT_REDIS_URL})")
    new_site.add_argument("--time-zone", default="WIB", help="WIB, WITA, WIT or Area/City (default: WIB)")
    new_site.add_argument("--language", default="id", choices=["id", "en"])
    new_site.add_argument("--city", help='city name, e.g. "Kota Pontianak" (default: Kota Contoh)')
    new_site.add_argument("--demo", action="store_true",
                          help="a demo site: seed_demo may create the demo logins; named Kota Pontianak")
    new_site.add_argument("--site-url", help="public address, e.g. https://aduan.kotacontoh.go.id "
                          "(also sets allowed_hosts and csrf_trusted_origins)")
    use = argparse.ArgumentParser(prog="aduan use", description="Make NAME the current site.")
    use.add_argument("name")
    start = argparse.ArgumentParser(prog="aduan start", description="Run the Procfile processes (honcho).")
    start.add_argument("--dry-run", action="store_true", help="print the honcho command and stop")
    list_sites = argparse.ArgumentParser(prog="aduan list-sites", description="List the bench's sites.")
    return {"new-site": new_site, "use": use, "start": start, "list-sites": list_sites}


def _main_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aduan",
        description="Bench tool for aduan_publik. Commands: new-site, use, list-sites, start, "
        "or any Django management command (migrate, seed_demo, createsuperuser, ...).",
    )
    parser.add_argument("--site", help="site to act on (default: ADUAN_SITE, sites/currentsite.txt, 'default')")
    parser.add_argument("command", nargs="?", help="an aduan command or a Django management command")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command's arguments")
    return parser


HANDLERS = {"new-site": cmd_new_site, "use": cmd_use, "list-sites": cmd_list_sites, "start": cmd_start}


def main(argv: list[str] | None = None) -> int:
    parser = _main_parser()
    ns = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not ns.command:
        parser.print_help()
        return 2
    try:
        bench = Bench.locate()
        if ns.command not in OWN_COMMANDS:
            return run_django(bench, ns.site, [ns.command, *ns.args])
        args = _own_parsers()[ns.command].parse_args(ns.args)
        args.site = ns.site
        return HANDLERS[ns.command](bench, args)
    except (CliError, sites.SiteError) as exc:
        print(f"aduan: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

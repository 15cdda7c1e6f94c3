"""`python -m tests.crawl_cli --projects kaito,kueue`: the live crawl without Dagster, for chaos and leak tests.

Reads the settings as the pipeline does (GITHUB_TOKEN, VITALS_GITHUB_API_URL, VITALS_DB, VITALS_PROJECTS),
builds one GitHubClient and runs crawl_project for each chosen project into the Store on VITALS_DB.
Exit status: 0 done, 1 a GitHub error (one line on stderr), 2 a configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

from pipelines.config import ROOT, ConfigError, load_projects, load_settings
from pipelines.github.client import GitHubClient, GitHubError
from pipelines.github.crawler import Crawl, crawl_project
from pipelines.github.store import Store


def live_env(api_url: str, token: str, db: Path) -> dict[str, str]:
    """The environment for `python -m tests.crawl_cli` in live mode: this process's, without any GitHub or
    Vitals setting of the developer's, pointed at `api_url` with `token` and `db`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VITALS_"))}
    return env | {"GITHUB_TOKEN": token, "VITALS_SOURCE": "live", "VITALS_GITHUB_API_URL": api_url,
                  "VITALS_DB": str(db), "VITALS_REPORTS_DIR": str(db.parent / "reports"), "PYTHONPATH": str(ROOT)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crawl_cli", description=__doc__.splitlines()[0])
    parser.add_argument("--projects", default="", help="comma-separated slugs (default: every project)")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per request, seconds")
    parser.add_argument("--max-sleep", type=float, default=None,
                        help="cap every backoff and rate-limit wait (tests: the fake's waits are real but short)")  # fmt: skip
    parser.add_argument("--max-retries", type=int, default=6)
    parser.add_argument("--hold-s", type=float, default=None,
                        help="keep the DuckDB file open this long between pages (default: the Store's)")  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no per-page progress lines")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if settings.replay:
            raise ConfigError("tests.crawl_cli crawls live: set GITHUB_TOKEN and VITALS_GITHUB_API_URL")
        projects = load_projects(settings.projects_file)
    except ConfigError as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 2
    wanted = [s for s in args.projects.split(",") if s]
    unknown = set(wanted) - {p.slug for p in projects}
    if unknown:
        print(f"crawl: unknown project(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    chosen = [p for p in projects if not wanted or p.slug in wanted]

    def say(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    def sleep(seconds: float) -> None:
        time.sleep(seconds if args.max_sleep is None else min(seconds, args.max_sleep))

    run_id = f"cli-{uuid.uuid4().hex[:12]}"
    client = GitHubClient(settings.api_url, settings.token, sleep=sleep, notify=say, timeout_s=args.timeout,
                          max_retries=args.max_retries)  # fmt: skip
    store = Store(settings.db_path) if args.hold_s is None else Store(settings.db_path, hold_s=args.hold_s)
    try:
        for project in chosen:
            counts = crawl_project(Crawl(client, store, run_id, notify=say), project)
            say(f"crawl: {project.slug} " + " ".join(f"{k}={v}" for k, v in counts.items()))
    except GitHubError as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
        client.close()
    s = client.stats
    print(f"crawl: done run_id={run_id} requests={s.requests} not_modified={s.not_modified} retries={s.retries}",
          flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

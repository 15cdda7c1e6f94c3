"""The fake GitHub (fixtures/fakegithub.py) over real HTTP on 127.0.0.1, with seeded faults and pagination drift."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from fixtures.fakegithub import FakeGitHub, Fault
from fixtures.world import World, _comment, _issue, iso, stable_id, user

# A token shaped like a classic personal access token, so a leak scanner looks for the real shape.
TOKEN_PREFIX = "ghp_"
CLIENT_TIMEOUT_S = 0.5  # what the client under test is given; a slow fault answers after SLOW_S
SLOW_S = CLIENT_TIMEOUT_S + 0.3
DRIFT_START = dt.datetime(2026, 8, 1)  # after every fixture timestamp: drifted items sort first

# fault kind -> weight. "slow" and "short" are transport faults only a real socket can show; the others
# are rendered by FakeGitHub itself (its status/reset/truncate faults).
FAULT_WEIGHTS = {
    "5xx": 4,
    "reset": 3,
    "slow": 1,
    "truncate": 1,
    "short": 2,
    "primary": 1,
    "secondary403": 1,
    "secondary429": 1,
    "graphql_limited": 1,
}


def fake_token(rng: random.Random | None = None) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    rng = rng or random.Random()
    return TOKEN_PREFIX + "".join(rng.choice(alphabet) for _ in range(36))


@dataclasses.dataclass
class Injected:
    """One fault chosen for one request: its kind, and the FakeGitHub Fault that renders it (if any)."""

    kind: str
    fault: Fault | None = None


class FaultPlan:
    """Draws from random.Random(seed) once per request: with probability `rate` a fault, its kind by weight.
    At most `max_in_a_row` faults hit the same URL in a row, so a client with that many retries never
    gives up because of the plan (each retry is a new draw otherwise)."""

    def __init__(
        self, seed: int, rate: float, *, weights: dict[str, int] | None = None, max_in_a_row: int = 3
    ):
        self.rng = random.Random(seed)
        self.rate = rate
        self.weights = weights or FAULT_WEIGHTS
        self.max_in_a_row = max_in_a_row
        self.enabled = True
        self.injected: dict[str, int] = {}
        self._streak: tuple[str, int] = ("", 0)

    @property
    def total(self) -> int:
        return sum(self.injected.values())

    def __call__(self, index: int, method: str, url: str) -> Injected | None:
        draw, kind_draw = self.rng.random(), self.rng.random()
        last, streak = self._streak
        if not self.enabled or draw >= self.rate or (url == last and streak >= self.max_in_a_row):
            self._streak = (url, 0)
            return None
        graphql = urlsplit(url).path.endswith("/graphql")
        kinds = [k for k in self.weights if graphql or k != "graphql_limited"]
        total = sum(self.weights[k] for k in kinds)
        pick, acc = kind_draw * total, 0.0
        kind = kinds[-1]
        for k in kinds:
            acc += self.weights[k]
            if pick < acc:
                kind = k
                break
        self._streak = (url, streak + 1 if url == last else 1)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return Injected(kind, render_fault(kind, self.rng))


def render_fault(kind: str, rng: random.Random) -> Fault | None:
    """The FakeGitHub Fault for a kind; waits are tiny (Retry-After 1 s, a reset 1 s away) so runs stay fast."""
    if kind == "5xx":
        status = rng.choice([500, 502, 503, 504])
        return Fault("status", status, None, {"message": "Server Error"})
    if kind == "reset":
        return Fault("reset")
    if kind == "truncate":
        return Fault("truncate")
    if kind == "primary":
        reset = str(int(time.time()) + 1)
        return Fault("status", 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
                     {"message": "API rate limit exceeded for user ID 1.",
                      "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"})  # fmt: skip
    if kind == "secondary403":
        return Fault(
            "status", 403, {"Retry-After": "1"}, {"message": "You have exceeded a secondary rate limit."}
        )
    if kind == "secondary429":
        return Fault(
            "status", 429, {"Retry-After": "1"}, {"message": "You have exceeded a secondary rate limit."}
        )
    if kind == "graphql_limited":
        # GraphQL answers 200 with an error of type RATE_LIMITED; Retry-After keeps the client's wait short
        return Fault("status", 200, {"Retry-After": "1"},
                     {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]})  # fmt: skip
    return None  # slow, short: the server renders the real reply and then misbehaves on the socket


# -- pagination drift ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Mutation:
    """One change to the world, planned up front from the seed so the final world never depends on timing."""

    kind: str  # bump_issue | new_issue | new_comment | new_review | new_commit | new_maintainer_version
    repo: str  # full name, lower case
    target: int | str | None  # issue id, or a maintainer file path
    at: str  # when it happens (ISO); later than every fixture timestamp, increasing
    new_id: int
    login: str


DRIFT_KINDS = ("bump_issue", "bump_issue", "new_issue", "new_comment", "new_review", "new_commit",
               "new_maintainer_version")  # fmt: skip


def plan_drift(world: World, seed: int, count: int, repos: list[str]) -> list[Mutation]:
    rng = random.Random(f"drift-{seed}")
    plan = []
    for j in range(count):
        name = rng.choice(sorted(r.lower() for r in repos))
        repo = world.repo(name)
        kind = rng.choice(DRIFT_KINDS)
        at = iso(DRIFT_START + dt.timedelta(minutes=j + 1))
        login = rng.choice(repo.issues)["user"]["login"]
        prs = [i for i in repo.issues if "pull_request" in i]
        files = sorted(p for p, h in repo.file_history.items() if ":" not in p and h and h[0][1] is not None)
        if kind == "new_maintainer_version" and not files:
            kind = "new_commit"
        if kind == "new_review" and not prs:
            kind = "new_comment"
        target: int | str | None = None
        if kind in ("bump_issue", "new_comment"):
            target = rng.choice(repo.issues)["id"]
        elif kind == "new_review":
            target = rng.choice(prs)["id"]
        elif kind == "new_maintainer_version":
            target = rng.choice(files)
        plan.append(Mutation(kind, name, target, at, stable_id("drift", seed, j), login))
    return plan


def fork_world(world: World, repos: list[str]) -> World:
    """A world whose listed repos can be mutated without touching `world` (load_world is cached).
    Lists and dicts are copied one level; mutations replace item dicts instead of editing them."""
    forked = dict(world.repos)
    for name in repos:
        r = world.repo(name)
        forked[name.lower()] = dataclasses.replace(
            r,
            issues=list(r.issues),
            comments=list(r.comments),
            reviews={k: list(v) for k, v in r.reviews.items()},
            commits=list(r.commits),
            file_history={k: list(v) for k, v in r.file_history.items()},
        )
    return dataclasses.replace(world, repos=forked)


def apply_mutation(world: World, m: Mutation) -> None:
    repo = world.repo(m.repo)
    if m.kind == "new_issue":
        number = max(i["number"] for i in repo.issues) + 1
        item = _issue(repo, number, m.login, _parse(m.at), None, None, None, pr=False)
        item["id"] = m.new_id
        repo.issues.insert(0, item)
    elif m.kind == "bump_issue":
        item = _take(repo, m.target)
        labels = [*item["labels"], {"name": "drift"}]
        changes = {"labels": labels}
        if item["state"] == "open":
            changes |= {"state": "closed", "closed_at": m.at,
                        "state_reason": None if "pull_request" in item else "completed"}  # fmt: skip
        repo.issues.insert(0, {**item, **changes, "updated_at": m.at})
    elif m.kind == "new_comment":
        item = _take(repo, m.target)
        comment = _comment(repo, item["number"], m.login, _parse(m.at), "NONE")
        comment["id"] = m.new_id
        comment["url"] = comment["url"].rsplit("/", 1)[0] + f"/{m.new_id}"
        repo.comments.insert(0, comment)
        repo.issues.insert(0, {**item, "comments": item["comments"] + 1, "updated_at": m.at})
    elif m.kind == "new_review":
        item = _take(repo, m.target)  # a review bumps the PR's updated_at on GitHub too
        node = {"databaseId": m.new_id, "state": "APPROVED", "submittedAt": m.at, "authorAssociation": "NONE",
                "author": {"login": m.login, "__typename": "User"}}  # fmt: skip
        repo.reviews[item["number"]] = [*repo.reviews.get(item["number"], []), node]
        repo.issues.insert(0, {**item, "updated_at": m.at})
    elif m.kind == "new_commit":
        sha = hashlib.sha1(f"drift-commit-{m.new_id}".encode()).hexdigest()
        parent = repo.commits[0]["sha"] if repo.commits else ""
        repo.commits.insert(0, {
            "sha": sha,
            "commit": {"author": {"name": m.login, "email": "redacted@example.com", "date": m.at},
                       "committer": {"name": m.login, "email": "redacted@example.com", "date": m.at}},
            "author": user(m.login), "committer": user(m.login), "parents": [{"sha": parent}],
        })  # fmt: skip
    elif m.kind == "new_maintainer_version":
        history = repo.file_history[m.target]
        content = history[0][1] + f"\n# changed at {m.at}\n".encode()
        sha = hashlib.sha1(f"drift-file-{m.new_id}".encode()).hexdigest()
        commit = {"sha": sha, "commit": {"author": {"name": "redacted", "date": m.at},
                                         "committer": {"name": "redacted", "date": m.at}}}  # fmt: skip
        repo.file_history[m.target] = [(commit, content), *history]
    else:
        raise ValueError(f"unknown mutation {m.kind}")


def _take(repo, issue_id: int) -> dict:
    """Remove an issue from the listing (it goes back on top with a newer updated_at)."""
    index = next(n for n, i in enumerate(repo.issues) if i["id"] == issue_id)
    return repo.issues.pop(index)


def _parse(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


class Drift:
    """Applies a planned list of mutations while a crawler pages, each right after a request for page 2 or
    later (so items move between page requests). The moments are seeded: `share` of the plan is spread over
    the first `later_pages` such requests (a fault-free crawl's count), the rest waits for `finish`."""

    def __init__(self, plan: list[Mutation], seed: int, later_pages: int, share: float = 0.7):
        self.plan = list(plan)
        self.applied = 0
        self.later_pages = 0
        rng = random.Random(f"drift-timing-{seed}")
        during = min(round(len(self.plan) * share), later_pages)
        self.moments = sorted(rng.sample(range(1, later_pages + 1), during))
        self.enabled = True

    def after(self, world: World, url: str) -> None:
        page = dict(parse_qsl(urlsplit(url).query)).get("page")
        if not self.enabled or not page or int(page) < 2:
            return
        self.later_pages += 1
        while self.applied < len(self.moments) and self.moments[self.applied] <= self.later_pages:
            apply_mutation(world, self.plan[self.applied])
            self.applied += 1

    def finish(self, world: World) -> None:
        """Apply what is left: the world ends in the same final state however the run went."""
        while self.applied < len(self.plan):
            apply_mutation(world, self.plan[self.applied])
            self.applied += 1


def final_world(world: World, plan: list[Mutation]) -> World:
    out = fork_world(world, sorted({m.repo for m in plan}))
    for m in plan:
        apply_mutation(out, m)
    return out


# -- the HTTP server -----------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub: a reset then hits a reused connection
    timeout = 30  # an idle keep-alive connection does not hold a thread forever

    def setup(self):
        super().setup()
        # without it, Nagle's algorithm holds each body behind its headers for a delayed ACK (~40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        try:
            super().handle()
        except OSError:
            pass  # the crawler was killed mid-request or hung up after a timeout: nothing to answer

    def do_GET(self):
        self.server.app._serve(self)

    do_POST = do_GET

    def log_message(self, format, *args):
        pass  # request lines would only be noise in test output


class FakeServer:
    """FakeGitHub on http://127.0.0.1:<port>. Checks the bearer token of each request (401 otherwise), injects
    the plan's faults, applies drift between page requests, and calls `on_request(index)` after each reply."""

    def __init__(
        self,
        world: World,
        *,
        token: str | None = None,
        faults: FaultPlan | None = None,
        drift: Drift | None = None,
        latency_s: float = 0.0,
    ):
        self.token = token
        self.plan = faults
        self.drift = drift
        self.latency_s = latency_s
        self.on_request: Callable[[int], None] | None = None
        self.requests = 0
        self.auth_failures = 0
        self.seen_headers: list[dict[str, str]] = []  # every request's headers, for leak tests
        self._lock = threading.Lock()
        self._pending: Fault | None = None
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True
        self._http.app = self
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.fake = FakeGitHub(world, base_url=self.url, faults=lambda index, method, url: self._pending)
        self._thread: threading.Thread | None = None

    @property
    def world(self) -> World:
        return self.fake.world

    def start(self) -> FakeServer:
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        url = self.url + h.path
        headers = dict(h.headers.items())
        with self._lock:
            self.requests += 1
            index = self.requests
            self.seen_headers.append(headers)
            injected = self.plan(index, h.command, url) if self.plan else None
            self._pending = injected.fault if injected else None
            if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
                self.auth_failures += 1
                self._pending = Fault("status", 401, None, {
                    "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})  # fmt: skip
                injected = None
            reply = self.fake.handle(h.command, url, headers, body)
            self._pending = None
            if self.drift and h.command == "GET":
                self.drift.after(self.fake.world, url)
        kind = injected.kind if injected else None
        if self.latency_s:
            time.sleep(self.latency_s)
        try:
            if reply.status == -1:
                self._reset(h)
            else:
                if kind == "slow":
                    time.sleep(SLOW_S)  # the client has given up by now; what follows goes nowhere
                self._write(h, reply, cut=kind == "short")
        except OSError:
            h.close_connection = True  # the client hung up (timeout, or killed mid-request)
        if self.on_request:
            self.on_request(index)

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        """Close the socket with no response; linger 0 sends a TCP RST, as a dropped proxy connection does."""
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, reply, *, cut: bool) -> None:
        h.send_response_only(reply.status)
        for name, value in reply.headers.items():
            h.send_header(name, value)
        if reply.status != 304:
            h.send_header("Content-Length", str(len(reply.body)))
        h.end_headers()
        if cut and len(reply.body) > 1:
            # the length promises the whole body; half of it arrives, then the connection closes
            h.wfile.write(reply.body[: len(reply.body) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.status != 304:
            h.wfile.write(reply.body)
        h.wfile.flush()

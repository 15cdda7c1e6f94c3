"""The one GitHub client: Link pagination, ETags, rate limits, retries, 301s, and a small error family."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import httpx

PER_PAGE = 100
_LINK = re.compile(r'<([^>]+)>;\s*rel="([^"]+)"')
_REPO_PATH = re.compile(r"^/repos/([^/]+/[^/]+)")


class GitHubError(RuntimeError):
    """Base of every error the client raises; the message is one line a user can act on."""


class GitHubAuthError(GitHubError):
    pass


class RepoNotFound(GitHubError):
    def __init__(self, repo: str):
        super().__init__(f"repository {repo} not found on GitHub (404): check the name in projects.yaml")
        self.repo = repo


class RateLimited(GitHubError):
    """The primary rate limit is spent and the reset is further away than we are willing to wait."""

    def __init__(self, reset_at: float, wait_s: float):
        super().__init__(
            f"GitHub rate limit exhausted; it resets in {wait_s / 60:.0f} min "
            f"(at {time.strftime('%H:%M:%S UTC', time.gmtime(reset_at))}). Crawl state is saved: "
            "run again after the reset to resume"
        )
        self.reset_at = reset_at


class GitHubUnavailable(GitHubError):
    pass


class ReplayMiss(GitHubError):
    pass


@dataclass
class Response:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def next_url(self) -> str | None:
        return parse_link(self.headers.get("link", "")).get("next")


@dataclass
class Stats:
    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_limit_remaining: int | None = None
    rate_limit_reset: float | None = None
    moved: dict[str, str] = field(default_factory=dict)  # requested repo -> canonical repo


def parse_link(header: str) -> dict[str, str]:
    return {rel: url for url, rel in _LINK.findall(header or "")}


def with_params(path: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


class GitHubClient:
    """GitHub REST + GraphQL over httpx. `sleep` and `clock` are injectable so tests never really wait."""

    def __init__(
        self,
        base_url: str = "https://api.github.com",
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_retries: int = 6,
        max_rate_limit_wait_s: float = 3900.0,
        timeout_s: float = 30.0,
        notify: Callable[[str], None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self._origin = origin(self.base_url)
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "vitals-crawler",
        }
        # sent per request, and only to the API's own origin: a 301 Location, a Link rel="next" or a saved
        # cursor naming another host gets the request without the token (as httpx does for its redirects)
        self._auth = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            headers=headers, transport=transport, timeout=timeout_s, follow_redirects=False
        )
        self._sleep, self._clock = sleep, clock
        self.max_retries = max_retries
        self.max_rate_limit_wait_s = max_rate_limit_wait_s
        self.notify = notify or (lambda message: None)
        self.stats = Stats()

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def same_origin(self, url: str) -> bool:
        """Whether a URL (a saved cursor, a Link) points at the configured API."""
        return origin(url) == self._origin

    def url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith("http") else f"{self.base_url}{path_or_url}"

    # -- public surface -------------------------------------------------------------------------
    def get(self, path_or_url: str, *, etag: str | None = None, accept: str | None = None) -> Response:
        """GET with retries, rate-limit waits and 301 following. 304 is returned, not raised."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if accept:
            headers["Accept"] = accept
        return self._request("GET", self.url(path_or_url), headers=headers)

    def paginate(self, path_or_url: str, *, etag: str | None = None) -> Iterator[Response]:
        """Yield each page of a listing, following `Link: rel="next"`. A 304 on page 1 ends it."""
        url: str | None = self.url(path_or_url)
        first = True
        seen: set[str] = set()
        while url:
            if url in seen:  # a Link that points back at a page already read would never end
                raise GitHubError(f"GitHub's Link rel=next points back at a page already read: {_safe(url)}")
            seen.add(url)
            page = self.get(url, etag=etag if first else None)
            yield page
            if page.status == 304:
                return
            url, first = page.next_url, False

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}, sort_keys=True).encode()
        for attempt in range(self.max_retries + 1):
            response = self._request(
                "POST", f"{self.base_url}/graphql", headers={"Content-Type": "application/json"}, body=body
            )
            payload = response.json()
            errors = payload.get("errors") or []
            if any(e.get("type") == "RATE_LIMITED" for e in errors):
                self._wait_for_reset(response, reason="GraphQL rate limit")
                continue
            return payload
        raise GitHubUnavailable("GitHub GraphQL kept answering RATE_LIMITED")

    # -- the request loop -----------------------------------------------------------------------
    def _request(self, method: str, url: str, *, headers: dict, body: bytes | None = None) -> Response:
        attempt = 0
        redirects = 0
        while True:
            self._wait_if_spent()
            try:
                self.stats.requests += 1
                auth = self._auth if self.same_origin(url) else {}
                raw = self._http.request(method, url, headers={**auth, **headers}, content=body)
                content = raw.read()
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if _is_replay_miss(exc):
                    raise ReplayMiss(f"request not in the recorded fixtures: {method} {url}") from None
                attempt = self._backoff(attempt, f"{type(exc).__name__} on {_safe(url)}")
                continue
            except Exception as exc:  # vcrpy's CannotOverwriteExistingCassetteException is not httpx's
                if _is_replay_miss(exc):
                    raise ReplayMiss(
                        f"request not in the recorded fixtures: {method} {_safe(url)} "
                        "(rebuild them: python -m fixtures.build)"
                    ) from None
                raise
            response = Response(raw.status_code, str(raw.url), raw.headers, content)
            self._note_rate_limit(response)
            status = response.status
            if status in (301, 302, 307, 308):
                redirects += 1
                if redirects > 5:
                    raise GitHubError(f"too many redirects from {_safe(url)}")
                location = response.headers.get("location")
                if not location:
                    raise GitHubError(f"GitHub answered {status} without a Location for {_safe(url)}")
                self._remember_move(url, location)
                url = location
                continue
            if status == 304:
                self.stats.not_modified += 1
                return response
            if status == 401:
                raise GitHubAuthError(
                    "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN is valid and not expired"
                )
            if status in (403, 429) and self._is_rate_limited(response):
                self._wait_for_reset(response, reason="rate limit")
                continue
            if status == 404:
                match = _REPO_PATH.match(urlsplit(url).path)
                if match:
                    raise RepoNotFound(match.group(1))
                raise GitHubError(f"not found (404): {_safe(url)}")
            if status >= 500:
                attempt = self._backoff(attempt, f"HTTP {status} on {_safe(url)}")
                continue
            if status >= 400:
                raise GitHubError(f"GitHub answered {status} for {_safe(url)}: {_message(response)}")
            if _json_truncated(response):
                attempt = self._backoff(attempt, f"truncated JSON body from {_safe(url)}")
                continue
            return response

    def _backoff(self, attempt: int, why: str) -> int:
        if attempt >= self.max_retries:
            raise GitHubUnavailable(f"GitHub kept failing ({why}) after {attempt + 1} tries; try again later")
        delay = min(60.0, 2**attempt) * (0.5 + random.random() / 2)  # jittered exponential
        self.stats.retries += 1
        self.notify(f"retrying in {delay:.1f}s: {why}")
        self._sleep(delay)
        return attempt + 1

    def _note_rate_limit(self, response: Response) -> None:
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset")
        if remaining is not None and remaining.isdigit():
            self.stats.rate_limit_remaining = int(remaining)
        if reset is not None and reset.isdigit():
            self.stats.rate_limit_reset = float(reset)

    def _is_rate_limited(self, response: Response) -> bool:
        if response.status == 429 or "retry-after" in response.headers:
            return True
        if response.headers.get("x-ratelimit-remaining") == "0":
            return True
        return "rate limit" in _message(response).lower()

    def _wait_for_reset(self, response: Response, *, reason: str) -> None:
        retry_after = response.headers.get("retry-after")
        if retry_after and retry_after.strip().isdigit():
            wait = float(retry_after)
            what = f"secondary {reason}: GitHub asked to retry after {wait:.0f}s"
        elif response.headers.get("x-ratelimit-remaining") == "0" and self.stats.rate_limit_reset:
            wait = max(0.0, self.stats.rate_limit_reset - self._clock()) + 1.0
            what = f"primary {reason} spent: waiting {wait:.0f}s for the reset"
        else:
            wait = 60.0
            what = f"secondary {reason}: waiting {wait:.0f}s"
        if wait > self.max_rate_limit_wait_s:
            raise RateLimited(self._clock() + wait, wait)
        self.notify(what)
        self._sleep(wait)

    def _wait_if_spent(self) -> None:
        """Before a request: if the last answer said 0 remaining, wait for the reset instead of a 403."""
        if self.stats.rate_limit_remaining == 0 and self.stats.rate_limit_reset:
            wait = self.stats.rate_limit_reset - self._clock() + 1.0
            if wait > self.max_rate_limit_wait_s:
                raise RateLimited(self.stats.rate_limit_reset, wait)
            if wait > 0:
                self.notify(f"rate limit spent: waiting {wait:.0f}s for the reset")
                self._sleep(wait)
            self.stats.rate_limit_remaining = None

    def _remember_move(self, url: str, location: str) -> None:
        match = _REPO_PATH.match(urlsplit(url).path)
        if match:
            self.stats.moved[match.group(1)] = location


_SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)


@contextmanager
def reading(response: Response | str, errors: tuple | type = _SHAPE_ERRORS) -> Iterator[None]:
    """Around the code that reads a response: a body that is not JSON or not of the shape GitHub documents
    (a proxy's HTML page, a missing key, a list where an object was due) becomes one GitHubError naming
    the URL, never a traceback. `errors`: which exceptions mean that (narrower where other code runs too)."""
    try:
        yield
    except errors as exc:
        where = (
            _safe(response)
            if isinstance(response, str)
            else f"{_safe(response.url)} (HTTP {response.status})"
        )
        raise GitHubError(
            f"unexpected response from {where}: {type(exc).__name__} {str(exc)[:120]}"
        ) from None


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _message(response: Response) -> str:
    try:
        return str(response.json().get("message", ""))
    except (ValueError, AttributeError):
        return response.body[:200].decode("utf-8", "replace")


def _json_truncated(response: Response) -> bool:
    if "json" not in response.headers.get("content-type", "") or not response.body:
        return False
    try:
        json.loads(response.body)
    except ValueError:
        return True
    return False


def _is_replay_miss(exc: Exception) -> bool:
    return type(exc).__name__ == "CannotOverwriteExistingCassetteException"


def _safe(url: str) -> str:
    """URLs never carry the token, but keep log lines short."""
    return url if len(url) < 200 else url[:197] + "..."

"""The GitHub client: pagination, ETags, rate limits, retries, redirects and its one-line errors."""

import httpx
import pytest

from fixtures.fakegithub import Fault
from pipelines.github.client import (
    GitHubAuthError,
    GitHubClient,
    GitHubError,
    GitHubUnavailable,
    RateLimited,
    RepoNotFound,
    parse_link,
    reading,
)

ISSUES = "/repos/kubernetes-sigs/kueue/issues?state=all&sort=updated&direction=desc&per_page=100"


def once(match: str, fault: Fault, nth: int = 1):
    state = {"seen": 0}

    def plan(index, method, url):
        if match in url:
            state["seen"] += 1
            if state["seen"] == nth:
                return fault
        return None

    return plan


def test_parse_link_reads_next_and_last():
    header = '<https://api.github.com/r?page=2>; rel="next", <https://api.github.com/r?page=5>; rel="last"'
    assert parse_link(header) == {
        "next": "https://api.github.com/r?page=2",
        "last": "https://api.github.com/r?page=5",
    }


def test_paginate_follows_link_until_the_last_page(fake_client, world):
    client, _fake, _ = fake_client()
    pages = list(client.paginate(ISSUES))
    expected = len(world.repo("kubernetes-sigs/kueue").issues)
    assert len(pages) == -(-expected // 100)
    assert sum(len(p.json()) for p in pages) == expected
    assert all(len(p.json()) == 100 for p in pages[:-1])
    assert client.stats.requests == len(pages)


def test_unchanged_page_with_etag_is_a_304_that_costs_no_rate_limit(fake_client):
    client, fake, _ = fake_client()
    first = client.get(ISSUES)
    remaining = fake.remaining["core"]
    again = client.get(ISSUES, etag=first.etag)
    assert again.status == 304
    assert client.stats.not_modified == 1
    assert fake.remaining["core"] == remaining
    assert next(iter(client.paginate(ISSUES, etag=first.etag))).status == 304


def test_primary_rate_limit_waits_for_the_reset_on_the_fake_clock(fake_client):
    fault = Fault("status", 403, {"X-RateLimit-Remaining": "0"}, {"message": "API rate limit exceeded"})
    client, _fake, clock = fake_client(faults=once("/issues", fault))
    messages = []
    client.notify = messages.append
    response = client.get(ISSUES)
    assert response.status == 200
    assert len(clock.slept) == 1 and 1.0 <= clock.slept[0] <= 4.0  # reset was 2 s ahead, +1 s margin
    assert any("primary rate limit" in m for m in messages)


def test_primary_rate_limit_too_far_away_stops_cleanly(fake_client):
    fault = Fault(
        "status", 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}, {"message": "x"}
    )
    client, _, clock = fake_client(faults=once("/issues", fault))
    with pytest.raises(RateLimited, match="Crawl state is saved"):
        client.get(ISSUES)
    assert clock.slept == []


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_honours_retry_after(fake_client, status):
    fault = Fault(
        "status", status, {"Retry-After": "7"}, {"message": "You have exceeded a secondary rate limit"}
    )
    client, _, clock = fake_client(faults=once("/issues", fault))
    assert client.get(ISSUES).status == 200
    assert clock.slept == [7.0]


@pytest.mark.parametrize(
    "fault",
    [Fault("status", 502), Fault("status", 503), Fault("reset"), Fault("truncate")],
    ids=["502", "503", "connection-reset", "truncated-json"],
)
def test_transient_failures_are_retried_with_backoff(fake_client, fault):
    client, _, clock = fake_client(faults=once("/issues", fault))
    response = client.get(ISSUES)
    assert response.status == 200 and len(response.json()) == 100
    assert len(clock.slept) == 1 and 0.5 <= clock.slept[0] <= 1.0
    assert client.stats.retries == 1


def test_retries_give_up_with_a_clear_error(fake_client):
    client, _, clock = fake_client(faults=lambda i, m, u: Fault("status", 500), max_retries=3)
    with pytest.raises(GitHubUnavailable, match="after 4 tries"):
        client.get(ISSUES)
    assert len(clock.slept) == 3
    assert clock.slept[2] > clock.slept[0]  # exponential


def test_moved_repository_is_followed_through_301(fake_client):
    client, _, _ = fake_client()
    response = client.get("/repos/NVIDIA/KAI-Scheduler")
    assert response.status == 200
    assert response.json()["full_name"] == "kai-scheduler/KAI-Scheduler"
    assert "NVIDIA/KAI-Scheduler" in client.stats.moved


def test_missing_repo_names_it(fake_client):
    client, _, _ = fake_client()
    with pytest.raises(RepoNotFound, match="repository nobody/nothing not found"):
        client.get("/repos/nobody/nothing/issues")


def test_bad_token_is_one_clear_line():
    transport = httpx.MockTransport(lambda r: httpx.Response(401, json={"message": "Bad credentials"}))
    client = GitHubClient(token="not-a-token", transport=transport)
    with pytest.raises(GitHubAuthError) as err:
        client.get("/repos/kubernetes-sigs/kueue")
    assert "401" in str(err.value) and "GITHUB_TOKEN" in str(err.value)
    assert "not-a-token" not in str(err.value)


def test_token_is_sent_as_a_bearer_header_only():
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(200, json={})

    GitHubClient(token="tok123", transport=httpx.MockTransport(handler)).get("/rate_limit")
    assert seen["authorization"] == "Bearer tok123"


def test_a_link_pointing_back_at_a_page_already_read_stops_with_one_line():
    def handler(request):
        # page 2 names page 1 as its next: following it would never end
        nxt = "page=2" if "page=2" not in str(request.url) else "page=1"
        link = f'<https://api.github.com/repos/o/r/issues?per_page=100&{nxt}>; rel="next"'
        return httpx.Response(200, json=[], headers={"link": link})

    client = GitHubClient(token="t", transport=httpx.MockTransport(handler))
    pages = []
    with pytest.raises(GitHubError, match="points back at a page already read") as err:
        for page in client.paginate("https://api.github.com/repos/o/r/issues?per_page=100&page=1"):
            pages.append(page.url)
    assert len(pages) == 2 and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "body",
    [b"<html>proxy error</html>", b'{"message": "a list was due"}', b'[{"number": "not an object"}]'],
    ids=["html", "object-for-list", "wrong-field"],
)
def test_a_body_of_the_wrong_shape_is_one_line_naming_the_url(body):
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=body))
    client = GitHubClient(token="t", transport=transport)
    page = client.get("/repos/o/r/issues")
    with pytest.raises(GitHubError) as err, reading(page):
        [item["user"]["login"] for item in page.json()]
    text = str(err.value)
    assert text.startswith("unexpected response from https://api.github.com/repos/o/r/issues (HTTP 200)")
    assert "\n" not in text

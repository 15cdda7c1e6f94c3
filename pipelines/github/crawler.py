"""The crawl: each GitHub endpoint synced into the raw store, pages committed with their cursor, resumable at any page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from pipelines.github import payloads
from pipelines.github.client import GitHubClient, GitHubError, Response, reading, with_params
from pipelines.github.store import (
    BadTimestamp,
    CrawlLogEntry,
    CrawlState,
    Store,
    iso,
    now_utc,
    timestamp,
    utc,
)

REVIEW_BATCH = 100  # PRs per GraphQL query (aliases); ~1 point each
COMMIT_LOOKBACK = dt.timedelta(days=14)  # merged branches carry older committer dates
CONFORMANCE_REPO = "cncf/k8s-ai-conformance"
CONFORMANCE_MAX_BYTES = 1_000_000
CONFORMANCE_PATHS = re.compile(r"^(v\d+\.\d+/.+|docs/AIConformance-\d+\.\d+\.yaml)$")
CONFORMANCE_TEXT = re.compile(r"\.(ya?ml|md|txt|log|xml|json)$", re.IGNORECASE)
# Pages of a listing commit together with the cursor after them: a transaction per PAGES_PER_COMMIT pages,
# or sooner once COMMIT_EVERY_S has passed since the oldest page not yet committed. A commit costs ~10 ms
# (WAL fsync, statement planning, the key index): per page it was most of an ingest without network.
PAGES_PER_COMMIT = 50
COMMIT_EVERY_S = 2.0


@dataclass
class Crawl:
    """What every endpoint sync needs: the client, the store, and who to tell about progress."""

    client: GitHubClient
    store: Store
    run_id: str
    notify: Callable[[str], None] = print
    token_label: str | None = None
    totals: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int) -> None:
        self.totals[key] = self.totals.get(key, 0) + n


@dataclass
class Repo:
    project: str
    full_name: str
    repo_id: int
    default_branch: str


class _Progress:
    """Keeps one crawl_log row current, in the same transaction as the pages it describes."""

    def __init__(self, crawl: Crawl, repo: str, endpoint: str):
        self.crawl, self.repo, self.endpoint = crawl, repo, endpoint
        stats = crawl.client.stats
        self._requests0, self._not_modified0 = stats.requests, stats.not_modified
        self.entry = CrawlLogEntry(
            crawl.run_id, repo, endpoint, started_at=now_utc(), token_label=crawl.token_label
        )
        self.pages = 0
        self.seen = 0

    def update(self, con, items: int = 0, status: str = "running") -> None:
        stats = self.crawl.client.stats
        self.entry.requests = stats.requests - self._requests0
        self.entry.not_modified = stats.not_modified - self._not_modified0
        self.entry.items += items
        self.entry.rate_limit_remaining = stats.rate_limit_remaining
        self.entry.status = status
        if status != "running":
            self.entry.finished_at = now_utc()
        Store.log(con, self.entry)

    def page_done(self, items: int) -> None:
        self.pages += 1
        self.seen += items
        remaining = self.crawl.client.stats.rate_limit_remaining
        self.crawl.notify(
            f"{self.repo} {self.endpoint}: page {self.pages}, {self.seen} items"
            + (f", rate limit remaining {remaining}" if remaining is not None else "")
        )

    def finish(self, status: str = "complete") -> None:
        with self.crawl.store.tx() as con:
            self.update(con, status=status)
        self.crawl.count("requests", self.entry.requests)
        self.crawl.count("not_modified", self.entry.not_modified)


class PageBatch:
    """Rows of the pages read since the last commit. `due()` once PAGES_PER_COMMIT pages are held or the
    oldest of them is COMMIT_EVERY_S old; the caller then commits them with the cursor after the last one, in
    one transaction. A kill loses no row: the saved cursor points at the first page not committed, which the
    resumed crawl fetches again (at most PAGES_PER_COMMIT pages)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.rows: list[dict] = []
        self.pages = 0
        self._since = 0.0

    def add(self, rows: list[dict]) -> None:
        if self.pages == 0:
            self._since = self._clock()
        self.rows += rows
        self.pages += 1

    def due(self) -> bool:
        return self.pages >= PAGES_PER_COMMIT or (
            self.pages > 0 and self._clock() - self._since >= COMMIT_EVERY_S
        )

    def take(self) -> list[dict]:
        rows, self.rows, self.pages = self.rows, [], 0
        return rows

    def __bool__(self) -> bool:
        return self.pages > 0


# -- parsing GitHub payloads into raw rows --------------------------------------------------------
def _user(obj: dict | None) -> tuple[str | None, str | None]:
    if not obj:
        return None, None
    return obj.get("login"), obj.get("type") or obj.get("__typename")


def _login(user: payloads.User | None) -> tuple[str | None, str | None]:
    return (user.login, user.type or None) if user else (None, None)


def _authored(item: payloads.Authored, project: str, repo: str, fetched: dt.datetime) -> dict:
    """The columns raw_issues and raw_comments have alike."""
    login, kind = _login(item.user)
    return {
        "id": item.id,
        "project": project,
        "repo": repo,
        "author_login": login,
        "author_type": kind,
        "author_association": item.author_association,
        "created_at": timestamp(item.created_at),
        "updated_at": timestamp(item.updated_at),
        "fetched_at": fetched,
    }


def issue_rows(body: bytes, project: str, repo: str, fetched: dt.datetime) -> list[dict]:
    """A page of /issues (issues and pull requests) as raw_issues rows."""
    rows = []
    for item in payloads.decode(body, payloads.Issue):
        pr = item.pull_request
        rows.append(_authored(item, project, repo, fetched) | {
            "number": item.number,
            "is_pull_request": pr is not None,
            "state": item.state,
            "state_reason": item.state_reason,
            "closed_at": timestamp(item.closed_at),
            "merged_at": timestamp(pr.merged_at) if pr else None,
            "labels": [label.name for label in item.labels or ()],
            "comments": item.comments,
        })  # fmt: skip
    return rows


def comment_rows(body: bytes, project: str, repo: str, fetched: dt.datetime) -> list[dict]:
    """A page of /issues/comments as raw_comments rows (the issue number from the comment's issue_url)."""
    return [
        _authored(item, project, repo, fetched)
        | {"issue_number": int(item.issue_url.rstrip("/").rsplit("/", 1)[1])}
        for item in payloads.decode(body, payloads.Comment)
    ]


def commit_rows(body: bytes, project: str, repo: str, fetched: dt.datetime) -> list[dict]:
    """A page of /commits as raw_commits rows: the e-mail's domain only, never the address."""
    rows = []
    for item in payloads.decode(body, payloads.Commit):
        login, kind = _login(item.author)
        meta = item.commit
        email = meta.author.email or ""
        rows.append({
            "repo": repo,
            "sha": item.sha,
            "project": project,
            "author_login": login,
            "author_type": kind,
            "author_name": meta.author.name,
            "author_email_domain": email.rsplit("@", 1)[1].lower() if "@" in email else None,
            "authored_at": timestamp(meta.author.date),
            "committer_login": item.committer.login if item.committer else None,
            "committed_at": timestamp(meta.committer.date),
            "parent_count": len(item.parents or ()),
            "fetched_at": fetched,
        })  # fmt: skip
    return rows


def review_row(node: dict, pr_number: int, project: str, repo: str, fetched: dt.datetime) -> dict:
    login, kind = _user(node.get("author"))
    return {
        "id": node["databaseId"],
        "project": project,
        "repo": repo,
        "pr_number": pr_number,
        "author_login": login,
        "author_type": kind,
        "author_association": node.get("authorAssociation"),
        "state": node.get("state"),
        "submitted_at": timestamp(node["submittedAt"]),
        "fetched_at": fetched,
    }


# -- the generic listing sync ---------------------------------------------------------------------
def sync_listing(
    crawl: Crawl,
    repo: str,
    endpoint: str,
    path: str,
    params: dict,
    *,
    to_rows: Callable[[bytes], list[dict]],
    table: str,
    stamp: Callable[[dict], str],
    since: bool = True,
    lookback: dt.timedelta = dt.timedelta(0),
    on_rows: Callable | None = None,
    replace: bool = True,
) -> int:
    """Sync one listing into `table`. Page 1 goes out with the saved ETag (a 304 ends it at no cost);
    pages' rows and the cursor to the next page commit together (a PageBatch at a time), so a kill resumes at
    the first page not committed; when the listing completes, `since` moves to the newest timestamp stored
    (minus `lookback`)."""
    client, store = crawl.client, crawl.store
    with store.tx() as con:
        state = Store.load_state(con, repo, endpoint)
    progress = _Progress(crawl, repo, endpoint)
    if state.next_url is not None and not client.same_origin(state.next_url):
        # saved against another API URL (VITALS_GITHUB_API_URL changed): start this listing over
        crawl.notify(f"{repo} {endpoint}: the saved cursor names another host; starting the listing over")
        state.next_url = None
    resuming = state.next_url is not None
    if resuming:
        url, etag = state.next_url, None
        crawl.notify(f"{repo} {endpoint}: resuming an interrupted crawl")
    else:
        url = client.url(with_params(path, {**params, "since": state.since if since else None}))
        etag = state.etag if state.etag_url == url else None
    batch = PageBatch()

    def commit() -> int:
        rows = batch.take()  # taken first: a failed commit is not tried again, its pages are fetched again
        with store.tx() as con, reading(f"{url} (the pages since the last commit)", BadTimestamp):
            Store.upsert(con, table, rows, replace=replace)
            if on_rows:
                on_rows(con, rows)
            Store.save_state(con, state)
            progress.update(con, items=len(rows))
        return len(rows)

    stored = 0
    try:
        for page in client.paginate(url, etag=etag):
            if page.status == 304:
                break
            with reading(page):
                rows = to_rows(page.body)
            batch.add(rows)
            if rows:
                newest = max(stamp(r) for r in rows)  # `timestamp()` strings sort as times
                if state.high_water is None or newest > state.high_water:
                    state.high_water = newest
            if page.url == url and not resuming:
                state.etag, state.etag_url = page.etag, url
            state.next_url, state.run_id = page.next_url, crawl.run_id
            progress.page_done(len(rows))
            if batch.due():
                stored += commit()
        if batch:
            stored += commit()
        if since and state.high_water:
            new_since = iso(utc(state.high_water) - lookback)
            if new_since != state.since:
                stored += _prime(crawl, state, path, params, new_since, to_rows, table, on_rows, progress)
    except BaseException:
        if batch:  # the pages read before the failure are whole: keep them, and the cursor after them
            commit()
        progress.finish("failed")
        raise
    progress.finish()
    return stored


def _prime(crawl, state, path, params, new_since, to_rows, table, on_rows, progress) -> int:
    """Fetch page 1 of the listing from the new `since` so the next refresh can send its ETag."""
    url = crawl.client.url(with_params(path, {**params, "since": new_since}))
    page = crawl.client.get(url)
    with reading(page):
        rows = to_rows(page.body)
    with crawl.store.tx() as con:
        Store.upsert(con, table, rows)
        if on_rows:
            on_rows(con, rows)
        state.since, state.etag, state.etag_url = new_since, page.etag, url
        Store.save_state(con, state)
        progress.update(con, items=len(rows))
    return len(rows)


# -- endpoints ------------------------------------------------------------------------------------
def resolve_repo(crawl: Crawl, project: str, name: str, *, former: bool = False) -> Repo:
    """GET the repository (with its ETag: unchanged costs a 304), following a 301 for a moved one, and
    record the canonical name. A former name already resolved is not asked again."""
    with crawl.store.tx() as con:
        known = con.execute(
            "SELECT r.full_name, r.repo_id, r.default_branch FROM raw_repo_names n "
            "JOIN raw_repos r USING (repo_id) WHERE n.requested_name = $name",
            {"name": name},
        ).fetchone()
        state = Store.load_state(con, name, "repo")
    if known and former:
        return Repo(project, known[0], known[1], known[2])
    progress = _Progress(crawl, name, "repo")
    url = crawl.client.url(f"/repos/{name}")
    response = crawl.client.get(url, etag=state.etag if known and state.etag_url == url else None)
    if response.status == 304:
        progress.finish()
        return Repo(project, known[0], known[1], known[2])
    with reading(response):
        data = response.json()
        canonical, repo_id, branch = data["full_name"], int(data["id"]), str(data["default_branch"])
        owner_type = (data.get("owner") or {}).get("type")
    fetched = now_utc()
    with crawl.store.tx() as con:
        Store.upsert(
            con,
            "raw_repos",
            [
                {
                    "repo_id": repo_id,
                    "project": project,
                    "full_name": canonical,
                    "default_branch": branch,
                    "owner_type": owner_type,
                    "fetched_at": fetched,
                }
            ],
        )
        Store.upsert(
            con,
            "raw_repo_names",
            [
                {
                    "requested_name": name,
                    "project": project,
                    "repo_id": repo_id,
                    "full_name": canonical,
                    "moved": canonical.lower() != name.lower(),
                    "resolved_at": fetched,
                }
            ],
        )
        state.etag, state.etag_url, state.run_id = response.etag, url, crawl.run_id
        Store.save_state(con, state)
        progress.update(con, items=1)
    progress.finish()
    if canonical.lower() != name.lower():
        crawl.notify(f"{name} has moved to {canonical} (GitHub answered 301); recorded the canonical name")
    return Repo(project, canonical, repo_id, branch)


def stored_repos(crawl: Crawl, project: str) -> list[Repo]:
    """The project's repositories as resolved by the last `resolve_repo` (canonical names)."""
    with crawl.store.tx() as con:
        rows = con.execute(
            "SELECT DISTINCT r.full_name, r.repo_id, r.default_branch FROM raw_repo_names n "
            "JOIN raw_repos r USING (repo_id) WHERE n.project = $project ORDER BY 1",
            {"project": project},
        ).fetchall()
    return [Repo(project, *row) for row in rows]


def sync_issues(crawl: Crawl, repo: Repo) -> int:
    """Issues and PRs (with merge data) updated since the cursor; PR numbers are queued for reviews."""

    def to_rows(body):
        return issue_rows(body, repo.project, repo.full_name, now_utc())

    def queue_reviews(con, rows):
        numbers = {r["number"] for r in rows if r["is_pull_request"]}
        if numbers:
            state = Store.load_state(con, repo.full_name, "reviews")
            state.pending = json.dumps(sorted(Store.pending_numbers(state) | numbers))
            Store.save_state(con, state)

    return sync_listing(
        crawl,
        repo.full_name,
        "issues",
        f"/repos/{repo.full_name}/issues",
        {"state": "all", "sort": "updated", "direction": "desc", "per_page": 100},
        to_rows=to_rows,
        table="raw_issues",
        stamp=lambda r: r["updated_at"],
        on_rows=queue_reviews,
    )


def sync_comments(crawl: Crawl, repo: Repo) -> int:
    def to_rows(body):
        return comment_rows(body, repo.project, repo.full_name, now_utc())

    return sync_listing(
        crawl,
        repo.full_name,
        "comments",
        f"/repos/{repo.full_name}/issues/comments",
        {"sort": "updated", "direction": "desc", "per_page": 100},
        to_rows=to_rows,
        table="raw_comments",
        stamp=lambda r: r["updated_at"],
    )


def sync_commits(crawl: Crawl, repo: Repo) -> int:
    def to_rows(body):
        return commit_rows(body, repo.project, repo.full_name, now_utc())

    return sync_listing(
        crawl,
        repo.full_name,
        "commits",
        f"/repos/{repo.full_name}/commits",
        {"sha": repo.default_branch, "per_page": 100},
        to_rows=to_rows,
        table="raw_commits",
        stamp=lambda r: r["committed_at"],
        lookback=COMMIT_LOOKBACK,
    )


REVIEWS_FIELDS = (
    "number reviews(first: 100%s) { pageInfo { hasNextPage endCursor } "
    "nodes { databaseId state submittedAt authorAssociation author { login __typename } } }"
)


def reviews_query(owner: str, name: str, numbers: list[int]) -> str:
    fields = " ".join(f"pr{n}: pullRequest(number: {n}) {{ {REVIEWS_FIELDS % ''} }}" for n in numbers)
    return f'query {{ repository(owner: "{owner}", name: "{name}") {{ {fields} }} }}'


def sync_reviews(crawl: Crawl, repo: Repo) -> int:
    """Reviews of the PRs queued by sync_issues (new or updated since the last crawl), in GraphQL
    batches of REVIEW_BATCH: a full crawl costs ceil(PRs / 100) queries, an unchanged refresh none."""
    owner, name = repo.full_name.split("/")
    progress = _Progress(crawl, repo.full_name, "reviews")
    with crawl.store.tx() as con:
        pending = sorted(Store.pending_numbers(Store.load_state(con, repo.full_name, "reviews")))
    batch, done = PageBatch(), set()

    def commit() -> int:
        rows = batch.take()
        where = f"{crawl.client.base_url}/graphql (reviews of {repo.full_name})"
        with crawl.store.tx() as con, reading(where, BadTimestamp):
            Store.upsert(con, "raw_reviews", rows)
            state = Store.load_state(con, repo.full_name, "reviews")
            state.pending = json.dumps(sorted(Store.pending_numbers(state) - done))
            state.run_id = crawl.run_id
            Store.save_state(con, state)
            progress.update(con, items=len(rows))
        return len(rows)

    stored = 0
    try:
        for start in range(0, len(pending), REVIEW_BATCH):
            numbers = pending[start : start + REVIEW_BATCH]
            payload = crawl.client.graphql(reviews_query(owner, name, numbers))
            with reading(f"{crawl.client.base_url}/graphql (reviews of {repo.full_name})"):
                rows = _review_rows(crawl, repo, owner, name, numbers, payload)
            batch.add(rows)
            done.update(numbers)
            progress.page_done(len(rows))
            if batch.due():
                stored += commit()
        if batch:
            stored += commit()
    except BaseException:
        if batch:
            commit()
        progress.finish("failed")
        raise
    progress.finish()
    return stored


def _review_rows(
    crawl: Crawl, repo: Repo, owner: str, name: str, batch: list[int], payload: dict
) -> list[dict]:
    """The review rows of one GraphQL batch, following a PR's own review pages past the first 100."""
    data = (payload.get("data") or {}).get("repository") or {}
    fetched = now_utc()
    rows = []
    for number in batch:
        node = data.get(f"pr{number}")
        if not node:
            continue  # deleted or converted: GitHub answers NOT_FOUND for that alias
        reviews = node["reviews"]
        nodes = list(reviews["nodes"])
        cursor = reviews["pageInfo"]
        while cursor.get("hasNextPage"):
            more = crawl.client.graphql(
                f'query {{ repository(owner: "{owner}", name: "{name}") {{ pullRequest(number: {number}) '
                f"{{ {REVIEWS_FIELDS % (', after: ' + json.dumps(cursor['endCursor']))} }} }} }}"
            )
            page = more["data"]["repository"]["pullRequest"]["reviews"]
            nodes += page["nodes"]
            cursor = page["pageInfo"]
        rows += [
            review_row(n, number, repo.project, repo.full_name, fetched)
            for n in nodes
            if n.get("submittedAt") and n.get("databaseId")
        ]
    return rows


def _split_location(repo: Repo, entry: str) -> tuple[str, str]:
    """Registry maintainer_files entries are paths, or `owner/name:path` for a file in another repo."""
    if ":" in entry:
        other, path = entry.split(":", 1)
        return other, path
    return repo.full_name, entry


def sync_maintainer_files(crawl: Crawl, repo: Repo, entries: list[str]) -> int:
    """Each maintainer file at every commit that touched it (for who-was-core-when); newest is head.
    The commit list is stored first (content pending), then each missing version is fetched: a kill
    between the two leaves pending rows that the next run fetches."""
    stored = 0
    for entry in entries:
        source_repo, path = _split_location(repo, entry)
        label = path if source_repo == repo.full_name else entry

        def to_rows(body, label=label):
            fetched = now_utc()
            return [
                {
                    "repo": repo.full_name,
                    "path": label,
                    "commit_sha": c["sha"],
                    "project": repo.project,
                    "committed_at": timestamp(c["commit"]["author"]["date"]),
                    "is_head": False,
                    "deleted": False,
                    "content": None,
                    "fetched_at": fetched,
                }
                for c in json.loads(body)
            ]

        sync_listing(
            crawl,
            repo.full_name,
            f"maintainer_file:{label}",
            f"/repos/{source_repo}/commits",
            {"path": path, "per_page": 100},
            to_rows=to_rows,
            table="raw_maintainer_files",
            stamp=lambda r: r["committed_at"],
            since=False,
            replace=False,
        )
        stored += _fetch_versions(crawl, repo, source_repo, path, label)
    return stored


def _fetch_versions(crawl: Crawl, repo: Repo, source_repo: str, path: str, label: str) -> int:
    with crawl.store.tx() as con:
        todo = con.execute(
            "SELECT commit_sha FROM raw_maintainer_files WHERE repo = $repo AND path = $path "
            "AND content IS NULL AND NOT deleted ORDER BY committed_at",
            {"repo": repo.full_name, "path": label},
        ).fetchall()
    progress = _Progress(crawl, repo.full_name, f"maintainer_contents:{label}")
    for (sha,) in todo:
        response = _get_optional(crawl.client, f"/repos/{source_repo}/contents/{quote(path)}?ref={sha}")
        deleted = response is None
        content = None
        if not deleted:
            with reading(response):
                content = base64.b64decode(response.json()["content"]).decode("utf-8", "replace")
        with crawl.store.tx() as con:
            con.execute(
                "UPDATE raw_maintainer_files SET content = $content, deleted = $deleted, fetched_at = $now "
                "WHERE repo = $repo AND path = $path AND commit_sha = $sha",
                {
                    "content": content,
                    "deleted": deleted,
                    "now": now_utc(),
                    "repo": repo.full_name,
                    "path": label,
                    "sha": sha,
                },
            )
            progress.update(con, items=1)
    with crawl.store.tx() as con:
        # head = the newest commit that touched the file, unless that commit deleted it
        con.execute(
            "UPDATE raw_maintainer_files AS f SET is_head = (f.commit_sha = n.sha AND NOT f.deleted) "
            "FROM (SELECT arg_max(commit_sha, committed_at) AS sha FROM raw_maintainer_files "
            "      WHERE repo = $repo AND path = $path) AS n "
            "WHERE f.repo = $repo AND f.path = $path",
            {"repo": repo.full_name, "path": label},
        )
    progress.finish()
    return len(todo)


def _get_optional(client: GitHubClient, path: str) -> Response | None:
    """A GET where 404 means 'not there' (a file deleted at that commit), not an error."""
    from pipelines.github.client import RepoNotFound

    try:
        return client.get(path)
    except RepoNotFound:
        return None


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sync_conformance(crawl: Crawl) -> int:
    """cncf/k8s-ai-conformance: the tree (ETag: unchanged costs a 304), then only blobs whose sha changed."""
    source = f"github:{CONFORMANCE_REPO}"
    branch = resolve_repo(crawl, "_conformance", CONFORMANCE_REPO).default_branch
    progress = _Progress(crawl, CONFORMANCE_REPO, "conformance_tree")
    with crawl.store.tx() as con:
        state = Store.load_state(con, CONFORMANCE_REPO, "conformance_tree")
        have = dict(
            con.execute(
                "SELECT path, blob_sha FROM raw_conformance_files WHERE source = $source", {"source": source}
            ).fetchall()
        )
    url = crawl.client.url(f"/repos/{CONFORMANCE_REPO}/git/trees/{branch}?recursive=1")
    tree = crawl.client.get(url, etag=state.etag if state.etag_url == url else None)
    if tree.status == 304:
        progress.finish()
        return 0
    with reading(tree):
        payload = tree.json()
        truncated = payload.get("truncated")
        blobs = [e for e in payload["tree"] if e["type"] == "blob" and CONFORMANCE_PATHS.match(e["path"])]
    if truncated:
        raise GitHubError(f"{CONFORMANCE_REPO}: the git tree listing was truncated; crawl it by folder")
    stored = 0
    for entry in blobs:
        if have.get(entry["path"]) == entry["sha"]:
            continue
        content = None
        if entry.get("size", 0) <= CONFORMANCE_MAX_BYTES and CONFORMANCE_TEXT.search(entry["path"]):
            blob = crawl.client.get(f"/repos/{CONFORMANCE_REPO}/git/blobs/{entry['sha']}")
            with reading(blob):
                content = base64.b64decode(blob.json()["content"])
        with crawl.store.tx() as con:
            stored += Store.upsert(
                con,
                "raw_conformance_files",
                [
                    {
                        "source": source,
                        "path": entry["path"],
                        "blob_sha": entry["sha"],
                        "size": entry.get("size", 0),
                        "content": content,
                        "fetched_at": now_utc(),
                    }
                ],
            )
            progress.update(con, items=1)
    gone = set(have) - {e["path"] for e in blobs}
    with crawl.store.tx() as con:
        for path in gone:  # removed upstream: keep the store equal to the repo
            con.execute(
                "DELETE FROM raw_conformance_files WHERE source = $source AND path = $path",
                {"source": source, "path": path},
            )
        Store.save_state(
            con,
            CrawlState(
                CONFORMANCE_REPO, "conformance_tree", etag=tree.etag, etag_url=url, run_id=crawl.run_id
            ),
        )
    progress.finish()
    return stored


ENDPOINTS = ("repos", "issues", "comments", "commits", "reviews", "maintainer_files")


def crawl_project(crawl: Crawl, project, endpoints: tuple[str, ...] = ENDPOINTS) -> dict[str, int]:
    """Crawl one registry project; each endpoint is also a Dagster asset of its own."""
    counts: dict[str, int] = {}
    if "repos" in endpoints:
        for name in project.former_names:
            resolve_repo(crawl, project.slug, name, former=True)
        for name in project.repos:
            resolve_repo(crawl, project.slug, name)
        counts["repos"] = len(project.repos)
    for repo in stored_repos(crawl, project.slug):
        for endpoint, sync in (("issues", sync_issues), ("comments", sync_comments), ("commits", sync_commits),
                               ("reviews", sync_reviews)):  # fmt: skip
            if endpoint in endpoints:
                counts[endpoint] = counts.get(endpoint, 0) + sync(crawl, repo)
        if "maintainer_files" in endpoints:
            counts["maintainer_files"] = counts.get("maintainer_files", 0) + sync_maintainer_files(
                crawl, repo, list(project.maintainer_files)
            )
    return counts

"""Ingest: recorded GitHub pages into the raw store through the crawler's parsing and Store.upsert, against
DuckDB's own read_json of the same page files."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import httpx

from pipelines.github.client import Response, Stats
from pipelines.github.crawler import (
    Crawl,
    Repo,
    sync_comments,
    sync_commits,
    sync_issues,
    sync_reviews,
)
from pipelines.github.replay import CASSETTES
from pipelines.github.store import Store

FETCHED = "2026-08-01 06:00:00"  # fetched_at of read_json's rows (stores are compared without it)
TABLES = {
    "issues": "raw_issues",
    "comments": "raw_comments",
    "commits": "raw_commits",
    "reviews": "raw_reviews",
}


def _endpoint(method: str, url: str) -> str | None:
    """Which listing a recorded request is; None for everything else. Pages fetched again with `since`
    (the crawler's priming of the next refresh's ETag) repeat page 1 and are left out."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if method == "POST" and parts.path == "/graphql":
        return "reviews"
    if method != "GET" or "since" in query or "path" in query:
        return None
    for suffix, endpoint in (
        ("/issues/comments", "comments"),
        ("/issues", "issues"),
        ("/commits", "commits"),
    ):
        if parts.path.endswith(suffix):
            return endpoint
    return None


def extract_cassette_pages(out: Path) -> list[dict]:
    """Write every recorded listing page (200 answers) of fixtures/cassettes as a file
    `<endpoint>/<project>/<owner>__<name>/<nnnn>.json`; returns the manifest."""
    manifest = []
    for cassette in sorted(CASSETTES.glob("*.json.gz")):
        project = cassette.name.removesuffix(".json.gz")
        if project == "conformance":
            continue
        names: dict[str, str] = {}  # repository id -> canonical full name
        with gzip.open(cassette, "rt", encoding="utf-8") as fh:
            interactions = json.load(fh)["interactions"]
        for it in interactions:
            request, response = it["request"], it["response"]
            path = urlsplit(request["uri"]).path
            if response["status"]["code"] == 200 and re.fullmatch(
                r"/(repos/[^/]+/[^/]+|repositories/\d+)", path
            ):
                repo = json.loads(response["body"]["string"])
                names[str(repo["id"])] = repo["full_name"]
        for it in interactions:
            request, response = it["request"], it["response"]
            endpoint = _endpoint(request["method"], request["uri"])
            if endpoint is None or response["status"]["code"] != 200:
                continue
            path = urlsplit(request["uri"]).path
            if endpoint == "reviews":
                match = re.search(
                    r'repository\(owner: \\"([^\\]+)\\", name: \\"([^\\]+)\\"\)', request["body"]
                )
                repo = f"{match.group(1)}/{match.group(2)}"
            elif path.startswith("/repositories/"):
                repo = names[path.split("/")[2]]
            else:
                repo = "/".join(path.split("/")[2:4])
            body = response["body"]["string"]
            folder = out / endpoint / project / repo.replace("/", "__")
            folder.mkdir(parents=True, exist_ok=True)
            file = folder / f"{len(list(folder.iterdir())):04d}.json"
            file.write_text(body, encoding="utf-8")
            payload = json.loads(body)
            items = (
                sum(len(n["reviews"]["nodes"]) for n in payload["data"]["repository"].values() if n)
                if endpoint == "reviews" else len(payload)
            )  # fmt: skip
            manifest.append(
                {"file": str(file), "project": project, "repo": repo, "endpoint": endpoint, "items": items}
            )
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


class RecordedPages:
    """Stands in for GitHubClient (no HTTP): serves each listing's recorded pages in order, page N's Link
    naming page N+1, and each repository's recorded GraphQL review batches in order, so `sync_issues`,
    `sync_comments`, `sync_commits` and `sync_reviews` run as they do in a crawl. The page 1 fetched again
    with `since` once a listing completes (the next refresh's ETag) is answered with an empty page."""

    base_url = "https://api.github.com"

    def __init__(self, manifest: list[dict]):
        self.stats = Stats()
        self.pages: dict[tuple[str, str], list[bytes]] = {}
        for page in manifest:
            self.pages.setdefault((page["repo"], page["endpoint"]), []).append(
                Path(page["file"]).read_bytes()
            )
        self._graphql: dict[str, Iterator[bytes]] = {}

    def url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith("http") else f"{self.base_url}{path_or_url}"

    def same_origin(self, url: str) -> bool:
        return url.startswith(self.base_url)

    def _listing(self, url: str) -> tuple[str, str]:
        path = urlsplit(url).path
        repo = "/".join(path.split("/")[2:4])
        return repo, "comments" if path.endswith("/issues/comments") else path.rsplit("/", 1)[1]

    def _answer(self, url: str, body: bytes, next_url: str | None) -> Response:
        self.stats.requests += 1
        headers = httpx.Headers({"link": f'<{next_url}>; rel="next"'} if next_url else {})
        return Response(200, url, headers, body)

    def get(self, url: str, **_) -> Response:
        if "since=" not in url:
            raise ValueError(f"no recorded answer for {url}")
        return self._answer(url, b"[]", None)

    def paginate(self, url: str, *, etag: str | None = None) -> Iterator[Response]:
        pages = self.pages.get(self._listing(url), [])
        for n, body in enumerate(pages, 1):
            yield self._answer(f"{url}#page={n}", body, f"{url}#page={n + 1}" if n < len(pages) else None)

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        owner, name = re.search(r'repository\(owner: "([^"]+)", name: "([^"]+)"\)', query).groups()
        repo = f"{owner}/{name}"
        if repo not in self._graphql:
            self._graphql[repo] = iter(self.pages.get((repo, "reviews"), []))
        payload = json.loads(next(self._graphql[repo]))
        # a cheap check here (the stores are compared row for row after the runs): as many PRs as asked
        answered = payload["data"]["repository"]
        if (
            len(answered) != query.count(": pullRequest(")
            or f"{next(iter(answered))}: pullRequest(" not in query
        ):
            raise ValueError(f"{repo}: the recorded review batch answers other pull requests than asked")
        self.stats.requests += 1
        return payload


def load_with_store(pages: Path, db_path: Path) -> dict:
    """The crawler's own code on the recorded pages: `sync_issues`, `sync_comments`, `sync_commits` and
    `sync_reviews` of each repository (pipelines/github/crawler.py), against RecordedPages instead of the
    network. Each page is decoded and mapped to rows there, held in a PageBatch and committed with the
    listing's cursor and crawl log row; crawl state is loaded and saved as in a crawl."""
    manifest = json.loads((pages / "manifest.json").read_text(encoding="utf-8"))
    client = RecordedPages(manifest)
    repos = {(page["project"], page["repo"]) for page in manifest}
    store = Store(db_path)
    crawl = Crawl(client, store, run_id="bench", notify=lambda message: None)  # type: ignore[arg-type]
    started = time.perf_counter()
    items = 0
    for project, full_name in sorted(repos):
        repo = Repo(project, full_name, 0, "main")
        for sync in (sync_issues, sync_comments, sync_commits, sync_reviews):
            items += sync(crawl, repo)
    seconds = time.perf_counter() - started  # at the last commit, as read_json's figure (closing is apart)
    store.close()
    return {"items": items, "pages": len(manifest), "seconds": seconds, "requests": client.stats.requests}


# read_json column types: only the fields the raw tables keep (the rest of each object is skipped).
_USER = "STRUCT(login VARCHAR, id BIGINT, type VARCHAR)"
_COLUMNS = {
    "issues": {
        "id": "BIGINT", "number": "INTEGER", "user": _USER, "labels": "STRUCT(name VARCHAR)[]", "state": "VARCHAR",
        "state_reason": "VARCHAR", "comments": "INTEGER", "created_at": "VARCHAR", "updated_at": "VARCHAR",
        "closed_at": "VARCHAR", "author_association": "VARCHAR", "pull_request": "STRUCT(merged_at VARCHAR)",
    },
    "comments": {
        "id": "BIGINT", "issue_url": "VARCHAR", "user": _USER, "created_at": "VARCHAR", "updated_at": "VARCHAR",
        "author_association": "VARCHAR",
    },
    "commits": {
        "sha": "VARCHAR",
        "commit": "STRUCT(author STRUCT(name VARCHAR, email VARCHAR, date VARCHAR), "
                  "committer STRUCT(name VARCHAR, email VARCHAR, date VARCHAR))",
        "author": _USER, "committer": _USER, "parents": "STRUCT(sha VARCHAR)[]",
    },
}  # fmt: skip
_TS = "strptime({}, '%Y-%m-%dT%H:%M:%SZ')"  # GitHub's REST and GraphQL timestamps are UTC with a Z
_FILE = "string_split(filename, '/')"


def file_source(pages: Path, endpoint: str) -> str:
    """read_json over every page file of an endpoint (columns typed, `filename` kept)."""
    if endpoint == "reviews":
        return f"read_json_objects('{pages}/reviews/*/*/*.json', filename=true)"
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in _COLUMNS[endpoint].items()) + "}"
    return f"read_json('{pages}/{endpoint}/*/*/*.json', format='array', columns={columns}, filename=true)"


def statements(source) -> dict[str, str]:
    """One INSERT OR REPLACE … SELECT per raw table from `source(endpoint)`: the same rows the crawler's
    parsing gives. Project and repository come from the page's path, as the crawler knows them from the
    request."""
    project = f"{_FILE}[-3]"
    repo = f"replace({_FILE}[-2], '__', '/')"
    fetched = f"TIMESTAMP '{FETCHED}'"
    return {
        "issues": f"""
            INSERT OR REPLACE INTO raw_issues
            SELECT id, {project}, {repo}, number, pull_request IS NOT NULL, "user".login, "user".type,
                   author_association, state, state_reason, {_TS.format("created_at")}, {_TS.format("updated_at")},
                   {_TS.format("closed_at")}, {_TS.format("pull_request.merged_at")},
                   coalesce(list_transform(labels, lambda l: l.name), []), comments, {fetched}
            FROM {source("issues")}""",
        "comments": f"""
            INSERT OR REPLACE INTO raw_comments
            SELECT id, {project}, {repo}, CAST(regexp_extract(issue_url, '/(\\d+)/?$', 1) AS INTEGER),
                   "user".login, "user".type, author_association, {_TS.format("created_at")},
                   {_TS.format("updated_at")}, {fetched}
            FROM {source("comments")}""",
        "commits": f"""
            INSERT OR REPLACE INTO raw_commits
            SELECT {repo}, sha, {project}, author.login, author.type, commit.author.name,
                   CASE WHEN contains(commit.author.email, '@')
                        THEN lower(regexp_extract(commit.author.email, '@([^@]*)$', 1)) END,
                   {_TS.format("commit.author.date")}, committer.login, {_TS.format("commit.committer.date")},
                   coalesce(len(parents), 0), {fetched}
            FROM {source("commits")}""",
        "reviews": f"""
            INSERT OR REPLACE INTO raw_reviews
            WITH batches AS (
                SELECT {project} AS project, {repo} AS repo, json -> '$.data.repository' AS repository
                FROM {source("reviews")}
            ),
            prs AS (
                SELECT project, repo, CAST(regexp_extract(alias, '^pr(\\d+)$', 1) AS INTEGER) AS number,
                       repository -> alias -> '$.reviews.nodes' AS nodes
                FROM (SELECT *, unnest(json_keys(repository)) AS alias FROM batches)
                WHERE json_type(repository -> alias) = 'OBJECT'
            ),
            reviews AS (
                SELECT project, repo, number, unnest(from_json(nodes, '[{{"databaseId": "BIGINT", "state": "VARCHAR",
                       "submittedAt": "VARCHAR", "authorAssociation": "VARCHAR",
                       "author": {{"login": "VARCHAR", "__typename": "VARCHAR"}}}}]')) AS r
                FROM prs
            )
            SELECT r.databaseId, project, repo, number, r.author.login, r.author.__typename, r.authorAssociation,
                   r.state, {_TS.format("r.submittedAt")}, {fetched}
            FROM reviews
            WHERE r.submittedAt IS NOT NULL AND r.databaseId IS NOT NULL""",
    }


def read_json_statements(pages: Path) -> dict[str, str]:
    return statements(lambda endpoint: file_source(pages, endpoint))


def load_with_read_json(pages: Path, db_path: Path) -> dict:
    """The same pages with DuckDB's read_json, one statement per raw table, in one transaction."""
    with duckdb.connect(str(db_path)) as con:
        from metrics import db

        db.ensure_raw_schema(con)
        sql = read_json_statements(pages)
        started = time.perf_counter()
        con.execute("BEGIN")
        for endpoint in ("issues", "comments", "commits", "reviews"):
            if any((pages / endpoint).glob("*/*/*.json")):
                con.execute(sql[endpoint]).fetchall()
        con.execute("COMMIT")
        seconds = time.perf_counter() - started
        items = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES.values())
    manifest = json.loads((pages / "manifest.json").read_text(encoding="utf-8"))
    return {"items": items, "pages": len(manifest), "seconds": seconds}


def differences(a: Path, b: Path) -> dict[str, int]:
    """Rows in one store and not the other, per raw table (fetched_at aside); all zero when both agree."""
    out = {}
    with duckdb.connect(str(a), read_only=True) as con:
        con.execute(f"ATTACH '{b}' AS other (READ_ONLY)")
        for table in TABLES.values():
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_catalog = ? "
                    "AND column_name <> 'fetched_at' ORDER BY ordinal_position",
                    [table, a.stem],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            out[table] = con.execute(
                f"SELECT (SELECT count(*) FROM (SELECT {select} FROM {table} EXCEPT ALL SELECT {select} FROM other.{table}))"
                f" + (SELECT count(*) FROM (SELECT {select} FROM other.{table} EXCEPT ALL SELECT {select} FROM {table}))"
            ).fetchone()[0]
    return out

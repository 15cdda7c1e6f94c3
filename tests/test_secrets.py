"""A live crawl against the fake GitHub server leaves its token nowhere; bad tokens fail in one clear line."""

import contextlib
import gzip
import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from fixtures.fakegithub import Fault
from pipelines.config import ROOT, ConfigError, load_projects, load_settings
from pipelines.github.client import GitHubAuthError, GitHubClient, GitHubError
from pipelines.github.crawler import Crawl, crawl_project
from pipelines.github.store import Store
from tests.crawl_cli import live_env
from tests.crawl_cli import main as crawl_cli
from tests.fakeserver import CLIENT_TIMEOUT_S, FakeServer, FaultPlan, Injected, fake_token

TOKEN = fake_token()  # 'ghp_' + 36 characters, fresh each session


@pytest.fixture
def server(world):
    # faults make the client log retries with URLs: those lines must not carry the token either
    with FakeServer(world, token=TOKEN, faults=FaultPlan(seed=11, rate=0.15)) as s:
        yield s


def crawl(env: dict[str, str], *projects: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tests.crawl_cli", "--projects", ",".join(projects), "--timeout",
           str(CLIENT_TIMEOUT_S), "--max-sleep", "0.05"]  # fmt: skip
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def files_holding(root: Path, secret: str) -> list[str]:
    """Every file under root whose bytes contain the secret (or its body without the ghp_ prefix)."""
    needles = (secret.encode(), secret[4:].encode())
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data += gzip.decompress(data)
            if any(n in data for n in needles):
                hits.append(str(path.relative_to(root)))
    return hits


def tables_holding(db: Path, secret: str) -> tuple[list[str], int]:
    """Columns of any table (VARCHAR, lists and maps cast to text) whose values contain the secret, and how
    many columns were scanned."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE data_type NOT IN ('BLOB') "
            "ORDER BY ALL"
        ).fetchall()
        hits = []
        for table, column in columns:
            found = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) LIKE $pattern',
                {"pattern": f"%{secret[4:]}%"},
            ).fetchone()[0]
            if found:
                hits.append(f"{table}.{column}")
        return hits, len(columns)
    finally:
        con.close()


def test_live_crawl_through_faults_leaves_the_token_in_no_log_file_or_table(server, tmp_path):
    result = crawl(live_env(server.url, TOKEN, tmp_path / "vitals.duckdb"), "kai-scheduler")
    assert result.returncode == 0, result.stderr
    # the token really was sent, and accepted, on every request
    assert server.auth_failures == 0 and server.plan.total > 0
    assert all(h.get("Authorization") == f"Bearer {TOKEN}" for h in server.seen_headers)
    assert "retrying" in result.stdout  # the fault lines were logged, with their URLs
    assert TOKEN[4:] not in result.stdout + result.stderr
    assert files_holding(tmp_path, TOKEN) == []
    hits, scanned = tables_holding(tmp_path / "vitals.duckdb", TOKEN)
    assert hits == [] and scanned > 50


def test_dagster_materialisation_and_recorded_cassette_hold_no_token(
    server, tmp_path, monkeypatch, capfd, caplog
):
    from pipelines.definitions import defs
    from pipelines.github import replay
    from pipelines.github.assets import github_repos

    for name, value in live_env(server.url, TOKEN, tmp_path / "vitals.duckdb").items():
        if name.startswith(("GITHUB_", "VITALS_")):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("VITALS_RECORD", "1")
    monkeypatch.setattr(replay, "CASSETTES", tmp_path / "cassettes")  # never over the committed fixtures
    caplog.set_level("DEBUG")
    instance = dg.DagsterInstance.get()  # sqlite storage under DAGSTER_HOME, a folder in tmp_path
    result = dg.materialize(
        [github_repos], partition_key="kaito", instance=instance, resources=defs.resources
    )
    assert result.success
    assert server.requests >= 2 and server.auth_failures == 0

    cassette = tmp_path / "cassettes" / "kaito.json.gz"
    recorded = json.loads(gzip.decompress(cassette.read_bytes()))["interactions"]
    assert recorded and all(
        "authorization" not in {k.lower() for k in i["request"]["headers"]} for i in recorded
    )
    events = instance.all_logs(result.run_id)
    assert events and not [e for e in events if TOKEN[4:] in dg.serialize_value(e)]
    captured = capfd.readouterr()
    assert TOKEN[4:] not in captured.out + captured.err + caplog.text
    storage = [p for p in (tmp_path / "dagster_home").rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in storage), storage  # the event log really is on disk here
    assert files_holding(tmp_path, TOKEN) == []  # the DuckDB file, the cassette, Dagster's storage
    hits, _ = tables_holding(tmp_path / "vitals.duckdb", TOKEN)
    assert hits == []


def test_token_with_whitespace_inside_is_a_config_error_that_does_not_echo_it():
    for bad in (f"{TOKEN[:20]} {TOKEN[20:]}", f"{TOKEN}\n{TOKEN}", f"{TOKEN[:8]}\u00a0{TOKEN[8:]}"):
        with pytest.raises(ConfigError, match="GITHUB_TOKEN contains whitespace") as err:
            load_settings({"GITHUB_TOKEN": bad})
        assert TOKEN[4:] not in str(err.value) and TOKEN[4:12] not in str(err.value)


def test_token_with_surrounding_whitespace_is_sent_bare():
    # `export GITHUB_TOKEN="$(cat token) "` is forgiven: the header carries the token without the spaces
    assert load_settings({"GITHUB_TOKEN": f"  {TOKEN}\n"}).token == TOKEN


def test_whitespace_token_stops_the_cli_with_exit_2_and_one_line(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", f"{TOKEN[:10]} {TOKEN[10:]}")
    monkeypatch.setenv("VITALS_GITHUB_API_URL", "http://127.0.0.1:9")  # never reached
    assert crawl_cli(["--projects", "kaito"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "GITHUB_TOKEN contains whitespace" in err and TOKEN[10:] not in err


def test_rejected_token_fails_in_one_line_naming_github_token(server, tmp_path):
    wrong = fake_token()
    server.plan.enabled = False
    result = crawl(live_env(server.url, wrong, tmp_path / "vitals.duckdb"), "kaito")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "crawl: GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN is valid and not expired"
    ]
    assert server.auth_failures == 1  # no retry of a 401: it cannot get better
    assert wrong[4:] not in result.stdout + result.stderr


def test_rejected_token_raises_github_auth_error_from_the_client(server):
    server.plan.enabled = False
    with GitHubClient(server.url, fake_token()) as client, pytest.raises(GitHubAuthError) as err:
        client.get("/repos/kaito-project/kaito")
    assert str(err.value).count("\n") == 0 and "GITHUB_TOKEN" in str(err.value)


@pytest.mark.parametrize("path", ["/repos/Azure/kaito", "/repos/kaito-project/kaito/issues?per_page=100"],
                         ids=["301-location", "link-next"])  # fmt: skip
def test_token_is_not_sent_to_another_host_named_by_a_redirect_or_a_link(world, path):
    with FakeServer(world) as elsewhere, FakeServer(world, token=TOKEN) as api:
        api.fake.base_url = elsewhere.url  # the API's Location and Link headers now name another origin
        # refusing to follow is a fine answer too
        with GitHubClient(api.url, TOKEN, max_retries=0) as client, contextlib.suppress(GitHubError):
            for page in client.paginate(path):
                if page.url.startswith(elsewhere.url):
                    break
        assert elsewhere.requests == 0 or not any(TOKEN in str(h) for h in elsewhere.seen_headers)


def test_resume_after_the_api_url_changed_does_not_send_the_new_token_to_the_old_host(world, tmp_path):
    kaito = next(p for p in load_projects(ROOT / "pipelines" / "projects.yaml") if p.slug == "kaito")
    crash = Injected("5xx", Fault("status", 400, None, {"message": "simulated crash"}))
    old_token, new_token = fake_token(), fake_token()
    store = Store(tmp_path / "vitals.duckdb")
    with FakeServer(world, token=old_token, faults=lambda i, m, u: crash if "page=3" in u else None) as old:
        # the first crawl stops at issues page 3, its cursor (next_url) naming the old host
        with GitHubClient(old.url, old_token, max_retries=0) as client, contextlib.suppress(GitHubError):
            crawl_project(Crawl(client, store, "first", notify=lambda m: None), kaito)
        before = old.requests
        with (
            FakeServer(world, token=new_token) as new,
            GitHubClient(new.url, new_token) as client,
            contextlib.suppress(GitHubError),
        ):
            crawl_project(Crawl(client, store, "second", notify=lambda m: None), kaito)
        store.close()
        assert not any(new_token in str(h) for h in old.seen_headers[before:])

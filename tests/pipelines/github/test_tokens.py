"""Several GitHub tokens: partitions spread over them, the crawl log shows each label's budget, no token leaks."""

import gzip

import dagster as dg
import duckdb
import httpx
import pytest

from fixtures.fakegithub import LIMIT, FakeGitHub
from pipelines.config import ConfigError
from pipelines.github import replay
from pipelines.github.resources import GitHubResource
from pipelines.github.tokens import TOKEN_TAG, Token, assign, label_of, load_tokens, run_tags

# Chosen so that rendezvous hashing gives kaito to ALPHA and kai-scheduler to BRAVO.
ALPHA, BRAVO = "ghp_testTokenAlpha00", "ghp_testTokenBravo03"


class PerTokenGitHub:
    """One fake GitHub per token, so each token has its own rate-limit budget, as on github.com."""

    def __init__(self, world):
        self.fakes = {token: FakeGitHub(world) for token in (ALPHA, BRAVO)}
        self.unauthenticated = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.fakes:
            self.unauthenticated += 1
            return httpx.Response(401, json={"message": "Bad credentials"})
        reply = self.fakes[token].handle(
            request.method, str(request.url), dict(request.headers), request.content
        )
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)


GITHUB = {}  # the PerTokenGitHub of the running test: resources are config, not a place for objects


class FakeGitHubResource(GitHubResource):
    def transport(self) -> httpx.BaseTransport:
        return httpx.MockTransport(GITHUB["server"].handler)


def test_tokens_come_from_both_variables_deduplicated_and_never_show_their_value():
    tokens = load_tokens({"GITHUB_TOKEN": ALPHA, "GITHUB_TOKENS": f" {BRAVO} ,{ALPHA},,"})
    assert [t.label for t in tokens] == [label_of(ALPHA), label_of(BRAVO)]
    assert ALPHA not in repr(tokens) and ALPHA not in str(tokens[0]) and ALPHA not in f"{tokens}"
    assert load_tokens({}) == ()
    with pytest.raises(ConfigError, match="GITHUB_TOKENS entry 2") as err:
        load_tokens({"GITHUB_TOKENS": f"{ALPHA},bad token"})
    assert "bad token" not in str(err.value)


def test_assignment_is_stable_and_removing_a_token_moves_only_its_partitions():
    keys = [f"project-{i}" for i in range(200)]
    three = tuple(Token(label_of(s), s) for s in ("t1", "t2", "t3"))
    before = {k: assign(three, k) for k in keys}
    assert before == {k: assign(three, k) for k in keys}
    assert all(60 <= sum(t == token for t in before.values()) <= 80 for token in three)  # spread evenly
    after = {k: assign(three[:2], k) for k in keys}
    assert all(after[k] == before[k] for k in keys if before[k] != three[2])


def test_run_tags_name_the_token_label_and_a_replay_has_none():
    tags = run_tags("kaito", {"GITHUB_TOKENS": f"{ALPHA},{BRAVO}"})
    assert tags == {TOKEN_TAG: label_of(ALPHA)}
    assert run_tags("kai-scheduler", {"GITHUB_TOKENS": f"{ALPHA},{BRAVO}"}) == {TOKEN_TAG: label_of(BRAVO)}
    assert run_tags("kaito", {}) == {}
    assert run_tags("kaito", {"GITHUB_TOKEN": ALPHA, "VITALS_SOURCE": "replay"}) == {}


def test_partitions_spend_both_tokens_and_no_token_reaches_logs_db_cassettes_or_event_log(
    world, monkeypatch, tmp_path, capfd, caplog
):
    from pipelines.definitions import all_assets
    from pipelines.github.assets import crawl_assets
    from pipelines.resources import VitalsDuckDB

    server = GITHUB["server"] = PerTokenGitHub(world)
    monkeypatch.setenv("GITHUB_TOKENS", f"{ALPHA},{BRAVO}")
    monkeypatch.setenv("VITALS_RECORD", "1")  # recording must filter the Authorization header too
    monkeypatch.setattr(replay, "CASSETTES", tmp_path / "cassettes")
    resources = {"github": FakeGitHubResource(source="live"), "duckdb": VitalsDuckDB()}
    crawl = dg.AssetSelection.assets(*crawl_assets)
    with dg.DagsterInstance.get() as instance:
        runs = [
            dg.materialize(
                all_assets, selection=crawl, partition_key=key, instance=instance, resources=resources
            )
            for key in ("kaito", "kai-scheduler")
        ]
        # a run tagged for a token (by the schedule or a backfill) spends that token, not the assigned one
        tagged = dg.materialize(all_assets, selection=dg.AssetSelection.assets("github_repos"),
                                partition_key="kaito", instance=instance, resources=resources,
                                tags={TOKEN_TAG: label_of(BRAVO)})  # fmt: skip
        events = [str(e) for run in (*runs, tagged) for e in instance.all_logs(run.run_id)]
    assert all(r.success for r in (*runs, tagged)) and server.unauthenticated == 0

    con = duckdb.connect(str(tmp_path / "vitals.duckdb"), read_only=True)
    budgets = dict(
        con.execute(
            "SELECT token_label, min(rate_limit_remaining) FROM crawl_log "
            "WHERE endpoint <> 'reviews' AND run_id <> $tagged GROUP BY token_label",
            {"tagged": tagged.run_id},
        ).fetchall()
    )
    repos = dict(con.execute("SELECT split_part(repo, '/', 1), min(token_label) FROM crawl_log "
                             "WHERE run_id <> $tagged GROUP BY 1", {"tagged": tagged.run_id}).fetchall())  # fmt: skip
    tagged_labels = {r[0] for r in con.execute("SELECT token_label FROM crawl_log WHERE run_id = $r",
                                               {"r": tagged.run_id}).fetchall()}  # fmt: skip
    assert budgets == {label: server.fakes[secret].remaining["core"] for label, secret in
                       ((label_of(ALPHA), ALPHA), (label_of(BRAVO), BRAVO))}  # fmt: skip
    assert all(0 < b < LIMIT for b in budgets.values())
    assert repos == {"Azure": label_of(ALPHA), "kaito-project": label_of(ALPHA),  # kaito and its former name
                     "NVIDIA": label_of(BRAVO), "kai-scheduler": label_of(BRAVO)}  # fmt: skip
    assert tagged_labels == {label_of(BRAVO)}

    # where a token could end up: every table, Dagster's event log and storage, the output, the cassettes
    dumped = [
        str(con.execute(f"SELECT * FROM {t}").fetchall()) for (t,) in con.execute("SHOW TABLES").fetchall()
    ]
    con.close()
    stored = [p.read_bytes() for p in (tmp_path / "dagster_home").rglob("*") if p.is_file()]
    cassettes = [gzip.decompress(p.read_bytes()) for p in (tmp_path / "cassettes").glob("*.json.gz")]
    out, err = capfd.readouterr()
    assert len(cassettes) == 2
    for secret in (ALPHA, BRAVO):
        assert not any(secret in text for text in (*dumped, *events, out, err, caplog.text))
        assert not any(secret.encode() in blob for blob in (*stored, *cassettes))


def test_tokens_alone_make_a_live_crawl_and_the_message_names_both_variables():
    from pipelines.config import load_settings

    settings = load_settings({"GITHUB_TOKENS": f" ,{ALPHA},{BRAVO}"})
    assert settings.source == "live" and settings.token == ALPHA
    with pytest.raises(ConfigError, match="needs GITHUB_TOKEN or GITHUB_TOKENS"):
        load_settings({"VITALS_SOURCE": "live"})


def test_scheduled_and_backfilled_crawl_runs_carry_their_token_label(monkeypatch):
    import datetime as dt

    from pipelines import definitions
    from pipelines.github.schedules import crawl_job, daily_refresh

    monkeypatch.setenv("GITHUB_TOKENS", f"{ALPHA},{BRAVO}")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("VITALS_SOURCE", raising=False)
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 8, 2, 5))
    tags = {r.partition_key: r.tags[TOKEN_TAG] for r in daily_refresh(context)}
    assert tags["kaito"] == label_of(ALPHA) and tags["kai-scheduler"] == label_of(BRAVO)
    job = definitions.defs.resolve_job_def(crawl_job.name)
    assert job.partitioned_config.get_tags_for_partition_key("kaito")[TOKEN_TAG] == label_of(ALPHA)

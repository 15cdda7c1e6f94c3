"""The GitHub client resource, in `live` or `replay` mode (chosen in one place: VITALS_SOURCE), and its tokens."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator

import dagster as dg
import httpx

from pipelines.config import load_settings
from pipelines.github.client import GitHubClient
from pipelines.github.replay import cassette_path, recorder
from pipelines.github.tokens import REPLAY_LABEL, Token, choose, load_tokens


class GitHubResource(dg.ConfigurableResource):
    """Hands each asset a GitHubClient. Replay serves every request from fixtures/cassettes/<name>.json.gz;
    live calls the API with one token of the pool (GITHUB_TOKEN, GITHUB_TOKENS) and records cassettes when
    VITALS_RECORD=1. Tokens are read from the environment at call time, so they are never resource config
    (which Dagster writes to its event log)."""

    source: str = ""  # empty: VITALS_SOURCE (default replay without a token)

    def _source(self) -> str:
        return self.source or load_settings().source

    def token(self, partition_key: str, tagged_label: str | None = None) -> Token | None:
        """The token a partition's crawl spends (None in replay): see tokens.choose."""
        if self._source() == "replay":
            return None
        return choose(load_tokens(), partition_key, tagged_label)

    def transport(self) -> httpx.BaseTransport | None:
        """The HTTP transport of live clients: httpx's own; tests hand in the fake GitHub by overriding it."""
        return None

    @contextlib.contextmanager
    def client(
        self, cassette: str, notify: Callable[[str], None], token: Token | None = None
    ) -> Iterator[GitHubClient]:
        settings = load_settings()
        source = self._source()
        if source == "replay":
            path = cassette_path(cassette)
            if not path.exists():
                raise FileNotFoundError(
                    f"no recorded fixtures for {cassette!r} ({path}); run python -m fixtures.build"
                )
            # replayed rate-limit waits are reported but not slept: the reset they wait for is in the past
            with (
                recorder().use_cassette(str(path), record_mode="none"),
                GitHubClient(sleep=lambda s: None, notify=notify) as client,
            ):
                yield client
            return
        token = token or choose(load_tokens(), cassette)
        client = GitHubClient(settings.api_url, token.secret, transport=self.transport(), notify=notify,
                              sleep=time.sleep)  # fmt: skip
        with client:
            if os.environ.get("VITALS_RECORD") == "1":
                with recorder().use_cassette(str(cassette_path(cassette)), record_mode="all"):
                    yield client
            else:
                yield client

    def token_label(self, token: Token | None = None) -> str:
        """Which token pays, for the crawl log: its label, never the token itself."""
        return token.label if token is not None else REPLAY_LABEL

"""The GitHub client resource, in `live` or `replay` mode (chosen in one place: VITALS_SOURCE)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator

import dagster as dg

from pipelines.config import load_settings
from pipelines.github.client import GitHubClient
from pipelines.github.replay import cassette_path, recorder


class GitHubResource(dg.ConfigurableResource):
    """Hands each asset a GitHubClient. Replay serves every request from fixtures/cassettes/<name>.json.gz;
    live calls the API with GITHUB_TOKEN (and records cassettes when VITALS_RECORD=1)."""

    source: str = ""  # empty: VITALS_SOURCE (default replay without a token)

    @contextlib.contextmanager
    def client(self, cassette: str, notify: Callable[[str], None]) -> Iterator[GitHubClient]:
        settings = load_settings()
        source = self.source or settings.source
        if source == "replay":
            path = cassette_path(cassette)
            if not path.exists():
                raise FileNotFoundError(f"no recorded fixtures for {cassette!r} ({path}); run python -m fixtures.build")
            # replayed rate-limit waits are reported but not slept: the reset they wait for is in the past
            with recorder().use_cassette(str(path), record_mode="none"):
                with GitHubClient(sleep=lambda s: None, notify=notify) as client:
                    yield client
            return
        client = GitHubClient(settings.api_url, settings.token, notify=notify, sleep=time.sleep)
        with client:
            if os.environ.get("VITALS_RECORD") == "1":
                with recorder().use_cassette(str(cassette_path(cassette)), record_mode="all"):
                    yield client
            else:
                yield client

    def token_label(self) -> str:
        """Which token pays, for the crawl log: never the token itself."""
        settings = load_settings()
        if settings.replay or not settings.token:
            return "replay"
        return "token-" + hashlib.sha256(settings.token.encode()).hexdigest()[:8]

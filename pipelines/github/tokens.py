"""GitHub tokens from the environment: a pool spread across project partitions, known by labels only."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipelines.config import ConfigError

TOKEN_TAG = (
    "vitals/github-token"  # run tag naming the token label a crawl run spends (QueuedRunCoordinator limit)
)
REPLAY_LABEL = "replay"


def label_of(secret: str) -> str:
    """A short, stable name for a token: 8 hex digits of its SHA-256 (the token cannot be recovered)."""
    return "token-" + hashlib.sha256(secret.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Token:
    """One token. Its repr and str are the label, so a token printed or logged by mistake shows no secret."""

    label: str
    secret: str = field(repr=False)

    def __str__(self) -> str:
        return self.label


def load_tokens(env: Mapping[str, str] | None = None) -> tuple[Token, ...]:
    """GITHUB_TOKEN, then each of GITHUB_TOKENS (comma-separated), duplicates dropped, order kept."""
    env = os.environ if env is None else env
    values = [env.get("GITHUB_TOKEN") or ""] + (env.get("GITHUB_TOKENS") or "").split(",")
    tokens: dict[str, Token] = {}
    for position, raw in enumerate(values):
        value = raw.strip()
        if not value:
            continue
        if any(c.isspace() for c in value) or not value.isascii():
            where = "GITHUB_TOKEN" if position == 0 else f"GITHUB_TOKENS entry {position}"
            raise ConfigError(
                f"{where} contains whitespace or non-ASCII characters; set the bare token value"
            )
        tokens.setdefault(value, Token(label_of(value), value))
    return tuple(tokens.values())


def assign(tokens: tuple[Token, ...], partition_key: str) -> Token:
    """The token that pays for a partition: rendezvous hashing, so each partition keeps its token run after
    run (and its ETags keep matching the token that fetched them), and adding or removing a token moves
    only the partitions that token gains or loses."""
    if not tokens:
        raise ConfigError(
            "no GitHub token: set GITHUB_TOKEN or GITHUB_TOKENS, or unset VITALS_SOURCE to replay"
        )
    return max(tokens, key=lambda t: hashlib.sha256(f"{t.label}|{partition_key}".encode()).digest())


def choose(tokens: tuple[Token, ...], partition_key: str, tagged_label: str | None = None) -> Token:
    """The run's token: the one its `vitals/github-token` tag names when this process has it (so the run
    coordinator's per-token limit counts the token really spent), else the partition's assigned token."""
    for token in tokens:
        if token.label == tagged_label:
            return token
    return assign(tokens, partition_key)


def run_tags(partition_key: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for a crawl run of one partition: the label of the token it spends. A replay spends none and
    gets no tag, so the per-token run limit does not queue it."""
    env = os.environ if env is None else env
    tokens = () if env.get("VITALS_SOURCE") == "replay" else load_tokens(env)
    return {TOKEN_TAG: assign(tokens, partition_key).label} if tokens else {}

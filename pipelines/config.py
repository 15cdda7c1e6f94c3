"""Configuration read once at the edge: environment variables and the tracked-projects registry."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REPLAY_AS_OF = dt.date(2026, 8, 1)
DEFAULT_BOTS = (
    "k8s-ci-robot",
    "k8s-triage-robot",
    "volcano-sh-bot",
    "dependabot",
    "renovate",
    "github-actions",
    "codecov",
    "netlify",
)
AI_AGENTS = (
    "copilot",
    "coderabbitai[bot]",
    "gemini-code-assist[bot]",
    "claude",
    "codex",
    "devin-ai-integration[bot]",
    "copilot-swe-agent[bot]",  # the identity Copilot's coding agent commits under
)


class ConfigError(ValueError):
    """A setting or registry entry is wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Project:
    slug: str
    name: str
    repos: tuple[str, ...]
    former_names: tuple[str, ...] = ()
    maintainer_files: tuple[str, ...] = ()
    org_members_are_core: bool = False
    core: tuple[str, ...] = ()
    bots: tuple[str, ...] = ()
    ai_agents: tuple[str, ...] = ()
    cncf_maturity: str = ""
    conformance_aliases: tuple[str, ...] = ()
    domain_orgs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    source: str  # "live" or "replay"
    token: str | None
    db_path: Path
    as_of: dt.date
    reports_dir: Path
    projects_file: Path
    conformance_dir: Path | None
    api_url: str

    @property
    def replay(self) -> bool:
        return self.source == "replay"


def _path(value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else ROOT / p


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    # GITHUB_TOKEN, else the first of GITHUB_TOKENS (the pool: pipelines/github/tokens.py spreads them)
    raw_token = env.get("GITHUB_TOKEN") or next(
        (t for t in (env.get("GITHUB_TOKENS") or "").split(",") if t.strip()), None
    )
    token = None
    if raw_token is not None and raw_token != "":
        token = raw_token.strip()
        if not token or any(c.isspace() for c in token) or not token.isascii():
            where = "GITHUB_TOKEN" if env.get("GITHUB_TOKEN") else "GITHUB_TOKENS"
            raise ConfigError(
                f"{where} contains whitespace or non-ASCII characters; set it to the bare token value"
            )
    source = env.get("VITALS_SOURCE") or ("live" if token else "replay")
    if source not in ("live", "replay"):
        raise ConfigError(f"VITALS_SOURCE must be 'live' or 'replay', not {source!r}")
    if source == "live" and not token:
        raise ConfigError(
            "VITALS_SOURCE=live needs GITHUB_TOKEN or GITHUB_TOKENS; unset VITALS_SOURCE to replay the fixtures"
        )
    as_of_raw = env.get("VITALS_AS_OF")
    if as_of_raw:
        try:
            as_of = dt.date.fromisoformat(as_of_raw.strip())
        except ValueError:
            raise ConfigError(f"VITALS_AS_OF must be a date like 2026-08-01, not {as_of_raw!r}") from None
    else:
        as_of = REPLAY_AS_OF if source == "replay" else dt.datetime.now(dt.UTC).date()
    conformance_dir = env.get("VITALS_CONFORMANCE_DIR")
    return Settings(
        source=source,
        token=token if source == "live" else None,
        db_path=_path(env.get("VITALS_DB") or "data/vitals.duckdb"),
        as_of=as_of,
        reports_dir=_path(env.get("VITALS_REPORTS_DIR") or "reports"),
        projects_file=_path(env.get("VITALS_PROJECTS") or "pipelines/projects.yaml"),
        conformance_dir=_path(conformance_dir) if conformance_dir else None,
        api_url=(env.get("VITALS_GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
    )


def _strs(entry: dict, key: str, slug: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"projects.yaml: {slug}.{key} must be a list of strings")
    return tuple(value)


def load_projects(path: Path) -> list[Project]:
    if not path.exists():
        raise ConfigError(f"projects registry not found: {path} (set VITALS_PROJECTS)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("projects")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: expected a non-empty 'projects:' list")
    projects, seen = [], set()
    for entry in entries:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        if not isinstance(slug, str) or not slug:
            raise ConfigError(f"{path}: every project needs a 'slug'")
        if slug in seen:
            raise ConfigError(f"{path}: duplicate slug {slug!r}")
        seen.add(slug)
        repos = _strs(entry, "repos", slug)
        if not repos or any(r.count("/") != 1 for r in repos):
            raise ConfigError(f"projects.yaml: {slug}.repos must list owner/name entries")
        projects.append(
            Project(
                slug=slug,
                name=str(entry.get("name") or slug),
                repos=repos,
                former_names=_strs(entry, "former_names", slug),
                maintainer_files=_strs(entry, "maintainer_files", slug),
                org_members_are_core=bool(entry.get("org_members_are_core", False)),
                core=_strs(entry, "core", slug),
                bots=_strs(entry, "bots", slug),
                ai_agents=_strs(entry, "ai_agents", slug),
                cncf_maturity=str(entry.get("cncf_maturity") or ""),
                conformance_aliases=_strs(entry, "conformance_aliases", slug),
                domain_orgs=dict(entry.get("domain_orgs") or {}),
            )
        )
    return projects

"""Maintainer files (OWNERS, OWNERS_ALIASES, CODEOWNERS, MAINTAINERS*, GOVERNANCE*) parsed into dated roles."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import polars as pl
import yaml

# Roles that make someone core; `emeritus` (and `member`: an alias whose name gives no role) do not.
CORE_ROLES = ("approver", "reviewer", "maintainer", "codeowner")
EMERITUS = "emeritus"

_OWNERS_KEYS = {
    "approvers": "approver",
    "reviewers": "reviewer",
    "required_reviewers": "reviewer",
    "emeritus_approvers": EMERITUS,
    "emeritus_reviewers": EMERITUS,
}
_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_LOGIN_RE = re.compile(rf"{_LOGIN}(?:\[bot\])?")
# `@login`, but not an e-mail (`a@b`), an `@org/team`, or `@example.com`.
_MENTION_RE = re.compile(rf"(?<![\w@./-])@({_LOGIN})(?![\w-]|[/.][\w-])")
# A profile link has exactly one path segment: github.com/login, not github.com/org/repo.
_PROFILE_RE = re.compile(rf"github\.com/({_LOGIN})/?(?![\w-]|[/.][\w-])", re.IGNORECASE)
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EMERITUS_WORDS = re.compile(r"\b(emeritus|emeriti|former|retired|alumni|past)\b", re.IGNORECASE)
# A label line such as `Emeritus:` or `**Former maintainers**` opens an emeritus list until the next heading.
_EMERITUS_LABEL = re.compile(
    r"^(emeritus|emeriti|former|retired|alumni|past)(\s+[\w-]+){0,2}\s*:?$", re.IGNORECASE
)
_EMERITUS_CELL = re.compile(r"^\W*(emeritus|retired|former|inactive|alumni)\b.{0,20}$", re.IGNORECASE)
_TABLE_SEPARATOR = re.compile(r"^:?-{2,}:?$")
_HANDLE_HEADER = re.compile(r"github|handle|login|user\s*name|username|\bid\b", re.IGNORECASE)
# github.com paths that are pages, not people.
_RESERVED = frozenset((
    "orgs", "users", "settings", "features", "about", "sponsors", "topics", "marketplace", "apps", "enterprise",
    "enterprises", "pricing", "login", "join", "explore", "collections", "contact", "site", "security", "readme",
    "team", "teams", "events", "notifications", "new", "organizations", "search", "trending", "issues", "pulls",
    "discussions", "customer-stories", "codespaces",
))  # fmt: skip


@dataclass(frozen=True)
class Role:
    login: str
    role: str


def file_kind(path: str) -> str | None:
    """owners | owners_aliases | codeowners | markdown, from the file name (a `owner/name:` prefix is ignored)."""
    name = re.split(r"[/:]", path)[-1].upper()
    if name == "OWNERS":
        return "owners"
    if name == "OWNERS_ALIASES":
        return "owners_aliases"
    if name == "CODEOWNERS":
        return "codeowners"
    if name.startswith(("MAINTAINERS", "GOVERNANCE")):
        return "markdown"
    return None


def _unique(roles: Iterable[Role]) -> list[Role]:
    seen, out = set(), []
    for r in roles:
        key = (r.login.lower(), r.role)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _load_yaml(text: str | None) -> dict:
    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {}  # a broken version names nobody; the next good version takes over
    return data if isinstance(data, dict) else {}


def parse_owners_aliases(text: str | None) -> dict[str, list[str]]:
    """Alias name (lower-cased: prow matches them case-insensitively) -> member logins."""
    aliases = _load_yaml(text).get("aliases")
    if not isinstance(aliases, dict):
        return {}
    return {
        str(name).lower(): [str(m).strip().lstrip("@") for m in members if isinstance(m, str) and m.strip()]
        for name, members in aliases.items()
        if isinstance(members, list)
    }


def alias_role(name: str) -> str:
    """The role an alias name implies when no OWNERS entry uses it (e.g. `kueue-approvers` -> approver)."""
    lowered = name.lower()
    for word, role in (("approver", "approver"), ("reviewer", "reviewer"), ("maintainer", "maintainer")):
        if word in lowered:
            return role
    return "member"


def alias_roles(aliases: dict[str, list[str]], skip: set[str] = frozenset()) -> list[Role]:
    """Members of the aliases not in `skip`, each with the role its alias name implies."""
    return _unique(
        Role(m, alias_role(n))
        for n, ms in aliases.items()
        if n not in skip
        for m in ms
        if _LOGIN_RE.fullmatch(m)
    )


def parse_owners(
    text: str | None, aliases: dict[str, list[str]] | None = None
) -> tuple[list[Role], set[str]]:
    """Roles from a Kubernetes OWNERS file (top level and every `filters` regex), aliases expanded.

    Returns the roles and the alias names the file used.
    """
    data = _load_yaml(text)
    aliases = aliases or {}
    sections = [data]
    filters = data.get("filters")
    if isinstance(filters, dict):
        sections += [v for v in filters.values() if isinstance(v, dict)]
    roles, used = [], set()
    for section in sections:
        for key, role in _OWNERS_KEYS.items():
            entries = section.get(key)
            if not isinstance(entries, list):
                continue
            for entry in entries:
                if not isinstance(entry, str):
                    continue
                name = entry.strip().lstrip("@")
                if name.lower() in aliases:
                    used.add(name.lower())
                    roles += [Role(m, role) for m in aliases[name.lower()] if _LOGIN_RE.fullmatch(m)]
                elif _LOGIN_RE.fullmatch(name):
                    roles.append(Role(name, role))
    return _unique(roles), used


def parse_codeowners(text: str | None) -> list[Role]:
    """`@login` owners of CODEOWNERS rules; `@org/team` and e-mail owners are not logins."""
    roles = []
    for line in (text or "").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        tokens = line.split()
        for owner in tokens[1:]:
            if owner.startswith("@") and "/" not in owner and _LOGIN_RE.fullmatch(owner[1:]):
                roles.append(Role(owner[1:], "codeowner"))
    return _unique(roles)


def _line_logins(line: str, exclude: frozenset[str]) -> list[str]:
    found = _MENTION_RE.findall(line) + _PROFILE_RE.findall(line)
    return [f for f in found if f.lower() not in _RESERVED and f.lower() not in exclude]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_markdown(text: str | None, exclude: Iterable[str] = ()) -> list[Role]:
    """Logins in a MAINTAINERS*/GOVERNANCE* file: `@login`, github.com/login links, and bare handles in a
    table column headed GitHub/handle/login. Entries under an Emeritus/Former/Retired heading (until a heading
    of the same or a higher level), after an `Emeritus:` line (until the next heading), or on a table row
    whose status cell says emeritus are `emeritus`; all others are `maintainer`.

    `exclude`: names that are never people here (the repository's owner org).
    """
    excluded = frozenset(e.lower() for e in exclude)
    roles: list[Role] = []
    emeritus_level: int | None = None
    label_emeritus = False
    header: list[str] | None = None
    handle_cols: list[int] = []
    previous = ""
    for line in (text or "").splitlines():
        heading = _HEADING_RE.match(line)
        if heading:
            level = len(heading.group(1))
            if emeritus_level is not None and level <= emeritus_level:
                emeritus_level = None
            if emeritus_level is None and _EMERITUS_WORDS.search(heading.group(2)):
                emeritus_level = level
            label_emeritus, header, handle_cols, previous = False, None, [], ""
            continue
        plain = re.sub(r"[*_`>]", "", line).strip().strip("-").strip()
        if _EMERITUS_LABEL.fullmatch(plain):
            label_emeritus = True
            previous = line
            continue
        logins = _line_logins(line, excluded)
        row_emeritus = False
        if line.strip().startswith("|"):
            cells = _cells(line)
            if all(_TABLE_SEPARATOR.match(c.replace(" ", "")) for c in cells if c) and any(cells):
                header = _cells(previous) if previous.strip().startswith("|") else []
                handle_cols = [i for i, h in enumerate(header) if _HANDLE_HEADER.search(h)]
                previous = line
                continue
            if header is not None:
                for i in handle_cols:
                    bare = cells[i].strip("` ").lstrip("@") if i < len(cells) else ""
                    if _LOGIN_RE.fullmatch(bare) and bare.lower() not in _RESERVED | excluded:
                        logins.append(bare)
                row_emeritus = any(
                    _EMERITUS_CELL.match(c) for i, c in enumerate(cells) if i not in handle_cols
                )
        else:
            header, handle_cols = None, []
        role = EMERITUS if (emeritus_level is not None or label_emeritus or row_emeritus) else "maintainer"
        roles += [Role(login, role) for login in logins]
        previous = line
    return _unique(roles)


def _owner_orgs(repo: str, path: str) -> set[str]:
    orgs = {repo.split("/")[0]}
    if ":" in path:
        orgs.add(path.split(":", 1)[0].split("/")[0])
    return orgs


def parse_file(
    repo: str, path: str, content: str | None, aliases: dict[str, list[str]] | None = None
) -> list[Role]:
    """The roles one version of one maintainer file gives (OWNERS_ALIASES alone: by alias name)."""
    kind = file_kind(path)
    if kind == "owners":
        return parse_owners(content, aliases)[0]
    if kind == "owners_aliases":
        return alias_roles(parse_owners_aliases(content))
    if kind == "codeowners":
        return parse_codeowners(content)
    if kind == "markdown":
        return parse_markdown(content, exclude=_owner_orgs(repo, path))
    return []


# ---- point-in-time table ---------------------------------------------------------------------------------

ROLE_SCHEMA = {
    "project": pl.String,
    "repo": pl.String,
    "path": pl.String,
    "commit_sha": pl.String,
    "valid_from": pl.Datetime("us"),
    "valid_to": pl.Datetime("us"),
    "is_head": pl.Boolean,
    "login": pl.String,
    "login_lower": pl.String,
    "role": pl.String,
}


@dataclass(frozen=True)
class _Version:
    path: str
    commit_sha: str
    start: dt.datetime
    end: dt.datetime | None
    is_head: bool
    content: str | None


def _intervals(rows: list[dict]) -> list[_Version]:
    """Versions of one file as [start, end) intervals: each lasts until the next commit that touched the file;
    a deleting commit ends the previous version and starts none. Versions whose content was not fetched yet
    are skipped (the previous version is taken to continue)."""
    rows = sorted(
        (r for r in rows if r["deleted"] or r["content"] is not None),
        key=lambda r: (r["committed_at"], r["commit_sha"]),
    )
    out = []
    for i, r in enumerate(rows):
        end = rows[i + 1]["committed_at"] if i + 1 < len(rows) else None
        if r["deleted"] or (end is not None and end <= r["committed_at"]):
            continue
        out.append(
            _Version(r["path"], r["commit_sha"], r["committed_at"], end, bool(r["is_head"]), r["content"])
        )
    return out


def _at(versions: list[_Version], t: dt.datetime) -> _Version | None:
    for v in versions:
        if v.start <= t and (v.end is None or t < v.end):
            return v
    return None


def _sibling_prefix(path: str) -> str:
    cut = max(path.rfind("/"), path.rfind(":"))
    return path[: cut + 1]


def _owners_group_rows(owners: list[_Version], aliases: list[_Version]) -> list[tuple]:
    """OWNERS and the OWNERS_ALIASES beside it change at different commits: the roles at time t come from the
    OWNERS version valid at t with the aliases valid at t. Segments run between any two changes of either file.
    Aliases no OWNERS entry uses still name people (used by nested OWNERS files): they are rows of
    OWNERS_ALIASES with the role their name implies."""
    cuts = sorted(
        {v.start for v in owners + aliases} | {v.end for v in owners + aliases if v.end is not None}
    )
    out = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else None
        o, a = _at(owners, start), _at(aliases, start)
        alias_map = parse_owners_aliases(a.content) if a else {}
        used: set[str] = set()
        if o:
            roles, used = parse_owners(o.content, alias_map)
            head = o.is_head and end is None
            out += [(o.path, o.commit_sha, start, end, head, r.login, r.role) for r in roles]
        if a:
            head = a.is_head and end is None
            out += [
                (a.path, a.commit_sha, start, end, head, r.login, r.role)
                for r in alias_roles(alias_map, used)
            ]
    return out


def _merge_adjacent(rows: list[tuple]) -> list[tuple]:
    """Join consecutive segments that carry the same (path, commit, login, role) back into one interval."""
    rows = sorted(rows, key=lambda r: (r[0], r[5].lower(), r[6], r[2]))
    merged: list[list] = []
    for r in rows:
        last = merged[-1] if merged else None
        if (
            last
            and (last[0], last[1], last[5].lower(), last[6]) == (r[0], r[1], r[5].lower(), r[6])
            and last[3] == r[2]
        ):
            last[3], last[4] = r[3], r[4]
        else:
            merged.append(list(r))
    return [tuple(m) for m in merged]


def maintainer_roles_frame(files: pl.DataFrame) -> pl.DataFrame:
    """Rows of maintainer_roles from rows shaped like raw_maintainer_files."""
    by_file: dict[tuple[str, str, str], list[dict]] = {}
    for r in files.iter_rows(named=True):
        by_file.setdefault((r["project"], r["repo"], r["path"]), []).append(r)
    owners_groups: dict[tuple[str, str, str], dict[str, list[_Version]]] = {}
    out = []
    for (project, repo, path), rows in sorted(by_file.items()):
        kind = file_kind(path)
        versions = _intervals(rows)
        if kind in ("owners", "owners_aliases"):
            group = owners_groups.setdefault(
                (project, repo, _sibling_prefix(path)), {"owners": [], "owners_aliases": []}
            )
            group[kind] += versions
            continue
        for v in versions:
            head = v.is_head and v.end is None
            for r in parse_file(repo, path, v.content):
                out.append((project, repo, v.path, v.commit_sha, v.start, v.end, head, r.login, r.role))
    for (project, repo, _), group in sorted(owners_groups.items()):
        segments = _owners_group_rows(group["owners"], group["owners_aliases"])
        out += [(project, repo, *row) for row in _merge_adjacent(segments)]
    frame = pl.DataFrame(
        [
            (p, rp, pa, sha, vf, vt, h, login, login.lower(), role)
            for p, rp, pa, sha, vf, vt, h, login, role in out
        ],
        schema=ROLE_SCHEMA,
        orient="row",
    )
    return frame.unique(
        subset=["project", "repo", "path", "valid_from", "login_lower", "role"], keep="first"
    ).sort(["project", "repo", "path", "valid_from", "login_lower", "role"])


def build_maintainer_roles(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)write maintainer_roles from raw_maintainer_files; returns the number of rows."""
    files = con.sql(
        "SELECT project, repo, path, commit_sha, committed_at, is_head, deleted, content FROM raw_maintainer_files"
    ).pl()
    frame = maintainer_roles_frame(files)
    con.execute(
        """
        CREATE OR REPLACE TABLE maintainer_roles (
            project VARCHAR NOT NULL, repo VARCHAR NOT NULL, path VARCHAR NOT NULL, commit_sha VARCHAR NOT NULL,
            valid_from TIMESTAMP NOT NULL, valid_to TIMESTAMP, is_head BOOLEAN NOT NULL,
            login VARCHAR NOT NULL, login_lower VARCHAR NOT NULL, role VARCHAR NOT NULL
        )
        """
    )
    if frame.height:
        con.register("maintainer_roles_frame", frame)
        try:
            con.execute("INSERT INTO maintainer_roles SELECT * FROM maintainer_roles_frame").fetchall()
        finally:
            con.unregister("maintainer_roles_frame")
    return frame.height

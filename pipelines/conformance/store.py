"""Conformance reads and writes: the local results folder into raw_conformance_files, parsed rows, the views."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics import conformance as cf
from metrics import db

GITHUB_SOURCE = "github:cncf/k8s-ai-conformance"
# The same layout as the crawled repo: submission folders and checklists; anything else in the folder is ignored.
LOCAL_PATHS = re.compile(r"^(v\d+\.\d+/.+|docs/AIConformance-\d+\.\d+\.ya?ml)$")
TEXT_FILES = re.compile(r"\.(ya?ml|md|txt|log|xml|json)$", re.IGNORECASE)
MAX_STORED_BYTES = cf.MAX_SUBMISSION_BYTES  # as the crawler: bigger files keep their name and size only
VIEWS = ("conformance_submissions", "conformance_citations", "conformance_gate", "conformance_quarantine")
STAGING = (
    "stg_conformance_checklists",
    "stg_conformance_submissions",
    "stg_conformance_reasons",
    "stg_conformance_requirements",
    "stg_conformance_citations",
    "stg_conformance_terms",
)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ------------------------------------------------------------------------------------ local results folder


@dataclass(frozen=True)
class LocalFile:
    path: str  # relative to the folder, '/'-separated
    size: int
    mtime_ns: int


def local_source(folder: Path) -> str:
    return f"local:{folder}"


def local_files(folder: Path | None) -> list[LocalFile]:
    """Regular files of the results folder in the repo layout. Symlinks are skipped: nothing outside is read."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            try:
                info = full.lstat()
            except OSError:
                continue  # vanished while we looked
            if not stat.S_ISREG(info.st_mode):
                continue  # symlinks, FIFOs, sockets: never opened
            rel = full.relative_to(folder).as_posix()
            if LOCAL_PATHS.match(rel):
                found.append(LocalFile(rel, info.st_size, info.st_mtime_ns))
    return found


def listing(folder: Path | None) -> dict[str, list[int]]:
    """path -> [mtime_ns, size]: the sensor's cursor."""
    return {f.path: [f.mtime_ns, f.size] for f in local_files(folder)}


def _stored_limit(path: str) -> int:
    return cf.MAX_JUNIT_BYTES if cf.is_junit(path.rsplit("/", 1)[-1]) else MAX_STORED_BYTES


def read_local_file(folder: Path, file: LocalFile) -> tuple[str, bytes | None]:
    """(git-style blob sha, content): content only for text files under the size limit; big ones are hashed
    in chunks and never held in memory."""
    limit = _stored_limit(file.path)
    keep = file.size <= limit and bool(TEXT_FILES.search(file.path))
    sha = hashlib.sha1(b"blob %d\0" % file.size)
    chunks = []
    fd = os.open(folder / file.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
            if keep:
                chunks.append(chunk)
    return sha.hexdigest(), b"".join(chunks) if keep else None


def ingest_local_dir(con: duckdb.DuckDBPyConnection, folder: Path | None) -> tuple[int, list[str]]:
    """Mirror the results folder into raw_conformance_files under 'local:<folder>'.

    Rows of any local source are replaced: the table holds what the configured folder holds now (a file
    removed there, or a folder no longer configured, leaves no rows behind). Returns (files, problems).
    """
    problems: list[str] = []
    if folder is not None and not folder.is_dir():
        problems.append(f"VITALS_CONFORMANCE_DIR {folder} is not a folder; no local results were read")
    rows = []
    fetched_at = now_utc()
    for file in local_files(folder):
        try:
            sha, content = read_local_file(folder, file)
        except OSError as exc:
            problems.append(f"{file.path}: {exc.strerror or exc}")
            continue
        rows.append((local_source(folder), file.path, sha, file.size, content, fetched_at))
    with db.transaction(con):
        con.execute("DELETE FROM raw_conformance_files WHERE source LIKE 'local:%'")
        if rows:
            con.executemany("INSERT INTO raw_conformance_files VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows), problems


# ----------------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Parsed:
    source: str  # the submission's source (junit: 'junit:' + the file's source)
    path: str
    checklist_source: str | None
    submission: cf.Submission


def _checklist_for(
    checklists: Mapping[str, Mapping[str, cf.Checklist]], source: str, version: str
) -> tuple[str | None, cf.Checklist | None]:
    """Its own source's checklist, else the crawled repo's, else any other source's."""
    order = [source, GITHUB_SOURCE, *sorted(checklists)]
    for candidate in order:
        if version in checklists.get(candidate, {}):
            return candidate, checklists[candidate][version]
    return None, None


def _guarded(parse, data, version: str, platform: str, *args) -> cf.Submission:
    """A bug in one rule must not stop the other submissions: it quarantines only the one it hit."""
    try:
        return parse(data, version, platform, *args)
    except Exception as exc:  # noqa: BLE001
        kind = "junit" if parse is cf.parse_junit else "product"
        return cf.Submission(
            version, platform, kind, (cf.Reason("parse_failed", f"{type(exc).__name__}: {exc}"[:120]),)
        )


def parse_sources(
    files: Mapping[str, Mapping[str, bytes | None]],
) -> tuple[dict[str, dict[str, cf.Checklist]], list[Parsed], list[str]]:
    """Every submission of every source (source -> path -> content), validated against its checklist."""
    checklists, problems = {}, []
    for source, by_path in files.items():
        checklists[source], found = cf.load_checklists(by_path)
        problems.extend(f"{source}: {p}" for p in found)
    parsed = []
    for source in sorted(files):
        folders: dict[tuple[str, str], dict[str, bytes | None]] = defaultdict(dict)
        for path, content in files[source].items():
            parts = cf.split_submission_path(path)
            if parts:
                folders[parts[:2]][parts[2]] = content
        for (version, platform), folder in sorted(folders.items()):
            checklist_source, checklist = _checklist_for(checklists, source, version)
            prefix = f"{version}/{platform}/"
            if "PRODUCT.yaml" in folder:
                sub = _guarded(
                    cf.parse_submission, folder["PRODUCT.yaml"], version, platform, checklist, folder.keys()
                )
                parsed.append(Parsed(source, prefix + "PRODUCT.yaml", checklist_source, sub))
            # A JUnit run is a result only when dropped locally; in the crawled repo it is a vendor's evidence.
            junit = {name: data for name, data in folder.items() if cf.is_junit(name)}
            if junit and source.startswith("local:"):
                sub = _guarded(cf.parse_junit, junit, version, platform, checklist)
                parsed.append(Parsed(f"junit:{source}", prefix + min(junit), checklist_source, sub))
    return checklists, parsed, problems


def citations_of(sub: cf.Submission, terms: Mapping[str, tuple[str, ...]]) -> list[tuple]:
    """(requirement_id, project, matched, cited_evidence, in_notes) for each citation in one submission."""
    rows = []
    for req in sub.requirements:
        for project, matched in sorted(cf.find_citations(req, terms).items()):
            evidence = [e for e in req.evidence if any(cf.mentions(e, t) for t in matched)]
            in_notes = any(cf.mentions(req.notes, t) for t in matched)
            rows.append((req.id, project, list(matched), evidence, in_notes))
    return rows


# ------------------------------------------------------------------------------------------------ tables


def project_terms_from_db(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    rows = con.execute(
        "SELECT project, conformance_aliases, repos, former_names FROM raw_projects ORDER BY project"
    ).fetchall()
    return {project: cf.project_terms(aliases, repos, former) for project, aliases, repos, former in rows}


def _raw_files(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, bytes | None]]:
    files: dict[str, dict[str, bytes | None]] = defaultdict(dict)
    for source, path, content in con.execute(
        "SELECT source, path, content FROM raw_conformance_files ORDER BY source, path"
    ).fetchall():
        files[source][path] = bytes(content) if content is not None else None
    return dict(files)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _rows(checklists, parsed: Iterable[Parsed], terms, parsed_at) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {t: [] for t in STAGING}
    for source, by_version in checklists.items():
        for version, checklist in by_version.items():
            major, minor = cf.version_key(version)
            for item in checklist.items:
                out["stg_conformance_checklists"].append(
                    (source, version, major, minor, item.category, item.id, item.level)
                )
    for p in parsed:
        s, md = p.submission, p.submission.metadata
        key = (s.version, s.platform, p.source)
        out["stg_conformance_submissions"].append(
            (*key, s.kind, p.path, p.checklist_source, md.get("vendorName"), md.get("platformName"),
             md.get("platformVersion"), md.get("kubernetesVersion"), s.readable, s.valid, len(s.reasons),
             len(s.requirements), s.must_total, s.must_implemented, s.should_total, s.should_implemented,
             parsed_at)
        )  # fmt: skip
        out["stg_conformance_reasons"].extend((*key, n, r.code, r.detail) for n, r in enumerate(s.reasons, 1))
        out["stg_conformance_requirements"].extend(
            (*key, r.category, r.id, r.level, r.checklist_level, r.status, list(r.evidence), r.notes)
            for r in s.requirements
        )
        out["stg_conformance_citations"].extend((*key, *c) for c in citations_of(s, terms))
    out["stg_conformance_terms"] = [(project, term) for project, ts in terms.items() for term in ts]
    return out


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The staging tables and the four views (safe to run again)."""
    db.run_sql_file(con, db.SQL_DIR / "staging" / "40_conformance_parsed.sql")
    for view in VIEWS:
        for path in db.SQL_DIR.glob(f"marts/*_{view}.sql"):
            db.run_sql_file(con, path)


def build(con: duckdb.DuckDBPyConnection, terms: Mapping[str, tuple[str, ...]]) -> dict[str, object]:
    """Parse every conformance file in raw_conformance_files and rebuild the staging tables and views.

    One transaction: a reader sees the previous build or this one, never half of one.
    """
    checklists, parsed, problems = parse_sources(_raw_files(con))
    rows = _rows(checklists, parsed, terms, now_utc())
    with db.transaction(con):
        create_schema(con)
        for table in STAGING:
            con.execute(f"DELETE FROM {table}")
            _insert(con, table, rows[table])
    return {"checklist_problems": problems, **{t: len(r) for t, r in rows.items()}}


# ------------------------------------------------------------------------------------------------ checks


def table_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Structural faults that make the conformance tables unusable (the blocking check fails on any)."""
    try:
        return _table_problems(con)
    except duckdb.Error as exc:
        return [f"the conformance tables cannot be read: {str(exc).splitlines()[0]}"]


def _table_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    problems = []
    total, readable = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE readable) FROM stg_conformance_submissions"
    ).fetchall()[0]
    if total == 0:
        problems.append(
            "no submissions at all: raw_conformance_files holds no v<k8s>/<platform>/PRODUCT.yaml"
        )
    elif readable == 0:
        problems.append(f"none of the {total} submissions could be parsed")
    for version, n in con.execute(
        "SELECT version, count(*) FROM stg_conformance_submissions WHERE checklist_source IS NULL "
        "GROUP BY version ORDER BY version"
    ).fetchall():
        problems.append(
            f"no checklist docs/AIConformance-{version[1:]}.yaml for {n} submission(s) of {version}"
        )
    keys = {
        "conformance_submissions": "version, platform, source",
        "conformance_citations": "version, platform, source, requirement_id, project",
        "conformance_gate": "project",
    }
    for view, key in keys.items():
        dupes = con.execute(
            f"SELECT count(*) FROM (SELECT {key} FROM {view} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if dupes:
            problems.append(f"{view}: {dupes} duplicate key(s) ({key})")
    wrong = con.execute(
        "SELECT count(*) FROM conformance_submissions WHERE valid AND (reason_count > 0 OR reasons <> '')"
    ).fetchall()[0][0]
    if wrong:
        problems.append(f"{wrong} submission(s) marked valid despite reasons")
    return problems


def quarantined(con: duckdb.DuckDBPyConnection, local: bool) -> list[tuple]:
    """(version, platform, source, reasons) of invalid submissions, crawled or local (local and JUnit)."""
    where = "source NOT LIKE 'github:%'" if local else "source LIKE 'github:%'"
    return con.execute(
        f"SELECT version, platform, source, reasons FROM conformance_submissions WHERE NOT valid AND {where} "
        "ORDER BY version, platform, source"
    ).fetchall()

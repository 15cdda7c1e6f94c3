"""CNCF AI Conformance submissions: safe parsing, validation against their checklist, project citations."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

# Hostile-input limits. The biggest real PRODUCT.yaml is ~26 KB; real JUnit runs are ~2.7 MB.
MAX_SUBMISSION_BYTES = 1_000_000
MAX_JUNIT_BYTES = 16_000_000
# No real submission uses anchors; a few are harmless, many are how an alias bomb expands.
MAX_YAML_ALIASES = 20
MAX_YAML_DEPTH = 40
MAX_DETAIL_CHARS = 120
MAX_NAME_CHARS = 100  # category and requirement ids; the longest real one is 27

STATUSES = ("Implemented", "Partially Implemented", "Not Implemented", "N/A")
LEVELS = ("MUST", "SHOULD")

# (camelCase field, required) as in SCHEMA.md; the upstream validator also accepts the snake_case spelling.
METADATA_FIELDS = (
    ("kubernetesVersion", True),
    ("platformName", True),
    ("platformVersion", True),
    ("vendorName", True),
    ("websiteUrl", True),
    ("repoUrl", False),
    ("documentationUrl", True),
    ("productLogoUrl", True),
    ("description", True),
    ("contactEmailAddress", True),
    ("k8sConformanceUrl", True),
)
NOT_GIVEN = ("", "n/a", "na", "none", "-")
URL_FIELDS = ("websiteUrl", "repoUrl", "documentationUrl", "productLogoUrl", "k8sConformanceUrl")
K8S_CONFORMANCE_URL = re.compile(
    r"^https://github\.com/cncf/k8s-conformance/tree/(master|main)/v\d+\.\d+/[^/]+/?$"
)
VERSION = re.compile(r"^v(\d+)\.(\d+)$")
SUBMISSION_PATH = re.compile(r"^(v\d+\.\d+)/([^/]+)/(.+)$")
CHECKLIST_PATH = re.compile(r"^docs/AIConformance-(\d+\.\d+)\.ya?ml$")
JUNIT_NAME = re.compile(r"^junit[^/]*\.xml$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
SEPARATORS = re.compile(r"[\s_-]+")

# The reasons vocabulary: every code a submission can be quarantined with (docs/conformance.md explains each).
REASON_CODES = (
    "empty_file",
    "too_large",
    "not_text",
    "yaml_error",
    "yaml_aliases",
    "too_deep",
    "not_a_mapping",
    "xml_error",
    "xml_doctype",
    "no_testcases",
    "no_checklist",
    "missing_metadata_section",
    "missing_metadata",
    "empty_metadata",
    "placeholder_metadata",
    "bad_metadata",
    "bad_url",
    "bad_k8s_conformance_url",
    "logo_not_vector",
    "bad_email",
    "version_mismatch",
    "missing_spec",
    "bad_category",
    "bad_requirement",
    "missing_category",
    "missing_requirement",
    "wrong_category",
    "unknown_requirement",
    "duplicate_requirement",
    "level_changed",
    "invalid_status",
    "must_not_implemented",
    "na_without_notes",
    "bad_evidence",
    "bad_evidence_url",
    "evidence_path_outside",
    "evidence_file_missing",
    "bad_notes",
    "parse_failed",
)
# Reasons that mean the file never became a document: the submission cannot even be read.
UNREADABLE = frozenset(
    {"empty_file", "too_large", "not_text", "yaml_error", "yaml_aliases", "too_deep", "not_a_mapping"}
    | {"xml_error", "xml_doctype", "no_testcases"}
)


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


@dataclass(frozen=True)
class ChecklistItem:
    category: str
    id: str
    level: str


@dataclass(frozen=True)
class Checklist:
    version: str
    items: tuple[ChecklistItem, ...]

    def item(self, requirement_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == requirement_id), None)


@dataclass(frozen=True)
class Requirement:
    category: str
    id: str
    level: str  # as the file states it (falls back to the checklist when the file's is unusable)
    checklist_level: str | None  # None: the id is not in the checklist
    status: str
    evidence: tuple[str, ...]
    notes: str


@dataclass(frozen=True)
class Submission:
    version: str
    platform: str
    kind: str  # "product" (PRODUCT.yaml) or "junit" (a JUnit XML run)
    reasons: tuple[Reason, ...]
    metadata: Mapping[str, str] = field(default_factory=dict)
    requirements: tuple[Requirement, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.reasons

    @property
    def readable(self) -> bool:
        return not any(r.code in UNREADABLE for r in self.reasons)

    @property
    def must_total(self) -> int:
        return sum(1 for r in self.requirements if r.level == "MUST")

    @property
    def must_implemented(self) -> int:
        return sum(1 for r in self.requirements if r.level == "MUST" and r.status == "Implemented")

    @property
    def should_total(self) -> int:
        return sum(1 for r in self.requirements if r.level == "SHOULD")

    @property
    def should_implemented(self) -> int:
        return sum(1 for r in self.requirements if r.level == "SHOULD" and r.status == "Implemented")


class ChecklistError(ValueError):
    """A checklist file (docs/AIConformance-<k8s>.yaml) cannot be used; the message says why."""


# ---------------------------------------------------------------------------------------------- helpers


def _show(value: object) -> str:
    """A value quoted for a reason, cut short: hostile files must not make reasons huge."""
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 3] + "..."


def snake_case(name: str) -> str:
    """websiteUrl -> website_url, k8sConformanceUrl -> k8s_conformance_url (the upstream spelling rule)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def version_key(version: str) -> tuple[int, int] | None:
    """'v1.35' -> (1, 35), so that v1.100 sorts after v1.99."""
    m = VERSION.match(version)
    return (int(m.group(1)), int(m.group(2))) if m else None


def split_submission_path(path: str) -> tuple[str, str, str] | None:
    """'v1.34/gke/PRODUCT.yaml' -> ('v1.34', 'gke', 'PRODUCT.yaml'); None for files outside a submission."""
    m = SUBMISSION_PATH.match(path)
    return (m.group(1), m.group(2), m.group(3)) if m else None


def checklist_version(path: str) -> str | None:
    """'docs/AIConformance-1.35.yaml' -> 'v1.35'."""
    m = CHECKLIST_PATH.match(path)
    return f"v{m.group(1)}" if m else None


def is_junit(name: str) -> bool:
    return bool(JUNIT_NAME.match(name))


def is_http_url(value: str) -> bool:
    """URL syntax only (scheme, host, no spaces): there is no network here to check reachability."""
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# ------------------------------------------------------------------------------------------ safe loading


def _decode(data: bytes, limit: int) -> tuple[str | None, list[Reason]]:
    if len(data) > limit:
        return None, [Reason("too_large", f"{len(data)} bytes, at most {limit} are read")]
    if not data.strip():
        return None, [Reason("empty_file", "the file is empty")]
    if b"\0" in data:
        return None, [Reason("not_text", "the file holds NUL bytes (binary data)")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return None, [Reason("not_text", f"not UTF-8 text (byte {exc.start})")]


def _yaml_shape(text: str) -> list[Reason]:
    """Count aliases and nesting on the event stream, before anything is built: a bomb never expands."""
    aliases = depth = 0
    # Events only (nothing is constructed), so the C parser is as safe as the Python one, and faster.
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                return [Reason("yaml_aliases", f"more than {MAX_YAML_ALIASES} YAML anchors/aliases")]
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return [Reason("too_deep", f"nested deeper than {MAX_YAML_DEPTH} levels")]
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return []


def safe_yaml(data: bytes | None, limit: int = MAX_SUBMISSION_BYTES) -> tuple[object, list[Reason]]:
    """yaml.safe_load behind a size limit, an alias/anchor limit and a depth limit; never raises."""
    if data is None:
        return None, [Reason("too_large", f"the file was not stored (over the {limit}-byte limit)")]
    text, reasons = _decode(data, limit)
    if text is None:
        return None, reasons
    try:
        reasons = _yaml_shape(text)
        if reasons:
            return None, reasons
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Reason("yaml_error", f"{problem}{where}"[:MAX_DETAIL_CHARS])]
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:
        return None, [Reason("yaml_error", type(exc).__name__)]


# ------------------------------------------------------------------------------------------- checklists


def load_checklist(data: bytes | None, version: str) -> Checklist:
    """One docs/AIConformance-<k8s>.yaml; raises ChecklistError when it cannot be used."""
    doc, reasons = safe_yaml(data)
    if reasons:
        raise ChecklistError(f"checklist {version}: {reasons[0]}")
    spec = doc.get("spec") if isinstance(doc, dict) else None
    if not isinstance(spec, dict) or not spec:
        raise ChecklistError(f"checklist {version}: no 'spec' mapping")
    items = []
    for category, entries in spec.items():
        for entry in entries if isinstance(entries, list) else []:
            rid = entry.get("id") if isinstance(entry, dict) else None
            level = entry.get("level") if isinstance(entry, dict) else None
            if not isinstance(rid, str) or level not in LEVELS:
                raise ChecklistError(f"checklist {version}: {category} holds an entry without id or level")
            items.append(ChecklistItem(str(category), rid, level))
    if not items:
        raise ChecklistError(f"checklist {version}: no requirements")
    return Checklist(version, tuple(items))


def load_checklists(files: Mapping[str, bytes | None]) -> tuple[dict[str, Checklist], list[str]]:
    """Every docs/AIConformance-*.yaml among `files` (path -> bytes): checklists by version, and problems."""
    checklists, problems = {}, []
    for path in sorted(files):
        version = checklist_version(path)
        if version is None:
            continue
        try:
            checklists[version] = load_checklist(files[path], version)
        except ChecklistError as exc:
            problems.append(str(exc))
    return checklists, problems


# --------------------------------------------------------------------------------------------- metadata


def _metadata_value(metadata: Mapping, name: str) -> tuple[str, object, bool]:
    """The field under its camelCase or snake_case key: (key used, value, present)."""
    for key in (name, snake_case(name)):
        if key in metadata and metadata[key] is not None:
            return key, metadata[key], True
    return name, None, False


def check_metadata(metadata: object, version: str) -> tuple[dict[str, str], list[Reason]]:
    """Complete, non-placeholder metadata with well-formed URLs. Reachability is not checked (no network)."""
    if not isinstance(metadata, dict):
        return {}, [Reason("missing_metadata_section", "no 'metadata' mapping")]
    values: dict[str, str] = {}
    reasons: list[Reason] = []
    for name, required in METADATA_FIELDS:
        key, value, present = _metadata_value(metadata, name)
        if not present:
            if required:
                reasons.append(Reason("missing_metadata", f"{name} (or {snake_case(name)})"))
            continue
        # Numbers (platformVersion: 1.0) are complete metadata; YAML just typed them.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            reasons.append(Reason("bad_metadata", f"{key} is not text: {_show(value)}"))
            continue
        value = value.strip()
        values[name] = value
        if not required and value.lower() in NOT_GIVEN:
            continue  # repoUrl: 'N/A' for a closed-source product, as upstream accepts
        if not value:
            if required:
                reasons.append(Reason("empty_metadata", key))
        elif value.startswith("[") and value.endswith("]"):
            reasons.append(Reason("placeholder_metadata", f"{key} is the template's {_show(value)}"))
        else:
            reasons.extend(_check_metadata_value(name, key, value, version))
    return values, reasons


def _check_metadata_value(name: str, key: str, value: str, version: str) -> list[Reason]:
    if name in URL_FIELDS and not is_http_url(value):
        return [Reason("bad_url", f"{key} is not an http(s) URL: {_show(value)}")]
    if name == "k8sConformanceUrl" and not K8S_CONFORMANCE_URL.match(value):
        return [Reason("bad_k8s_conformance_url", f"{_show(value)} is not a cncf/k8s-conformance tree URL")]
    if name == "productLogoUrl" and not urlsplit(value).path.lower().endswith((".svg", ".eps", ".ai")):
        return [Reason("logo_not_vector", f"{key} must be SVG, EPS or AI: {_show(value)}")]
    if name == "contactEmailAddress" and not EMAIL.match(value):
        return [Reason("bad_email", f"{key} is not an e-mail address: {_show(value)}")]
    if name == "kubernetesVersion":
        # A patch release (v1.35.3) belongs to its minor's folder.
        stated = value if value.startswith("v") else f"v{value}"
        if stated != version and not stated.startswith(version + "."):
            return [Reason("version_mismatch", f"{key} {_show(value)} in a {version} folder")]
    return []


# ------------------------------------------------------------------------------------------------- spec


def check_evidence_path(link: str, files_in_dir: Iterable[str]) -> Reason | None:
    """A relative evidence path must stay inside the submission folder and name a file of the same source."""
    path = link.split("#", 1)[0].split("?", 1)[0].strip().replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return Reason("evidence_path_outside", f"absolute path {_show(link)}")
    if ".." in path.split("/"):
        return Reason("evidence_path_outside", f"{_show(link)} climbs out of the submission folder")
    normal = posixpath.normpath(path) if path else ""
    if normal in ("", "."):
        return Reason("evidence_file_missing", f"{_show(link)} names no file")
    if normal not in set(files_in_dir):
        return Reason("evidence_file_missing", f"{_show(link)} is not a file of this submission")
    return None


def _check_evidence(rid: str, evidence: object, files_in_dir: frozenset[str]) -> tuple[tuple, list[Reason]]:
    if evidence is None:
        return (), []
    if not isinstance(evidence, list):
        return (), [Reason("bad_evidence", f"evidence of {rid} is not a list: {_show(evidence)}")]
    links, reasons = [], []
    for link in evidence:
        if not isinstance(link, str):
            reasons.append(Reason("bad_evidence", f"evidence of {rid} holds a non-text item {_show(link)}"))
            continue
        link = link.strip()
        if not link:
            continue  # the upstream validator skips empty entries too
        links.append(link)
        if URL_SCHEME.match(link) and not re.match(r"^[A-Za-z]:[\\/]", link):
            if not is_http_url(link):
                reasons.append(Reason("bad_evidence_url", f"{rid}: {_show(link)} is not an http(s) URL"))
        else:
            problem = check_evidence_path(link, files_in_dir)
            if problem is not None:
                reasons.append(Reason(problem.code, f"{rid}: {problem.detail}"))
    return tuple(links), reasons


def _text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return None


def _read_requirements(spec: dict) -> tuple[list[tuple[str, dict]], list[Reason]]:
    entries, reasons = [], []
    for category, items in spec.items():
        if not isinstance(items, list) or len(str(category)) > MAX_NAME_CHARS:
            reasons.append(Reason("bad_category", f"{_show(category)} is not a list of requirements"))
            continue
        for entry in items:
            rid = entry.get("id") if isinstance(entry, dict) else None
            # Ids end up in reasons and keys: a made-up megabyte-long id is no requirement.
            if not isinstance(rid, str) or not rid.strip() or len(rid) > MAX_NAME_CHARS:
                reasons.append(Reason("bad_requirement", f"an entry of {_show(category)} has no usable id"))
                continue
            entries.append((str(category), entry))
    return entries, reasons


def _check_requirement(
    category: str, entry: dict, item: ChecklistItem | None, files_in_dir: frozenset[str]
) -> tuple[Requirement, list[Reason]]:
    rid = entry["id"].strip()
    reasons: list[Reason] = []
    status = _text(entry.get("status"))
    if status is None:
        reasons.append(Reason("invalid_status", f"{rid} has a non-text status {_show(entry.get('status'))}"))
        status = ""
    notes = _text(entry.get("notes"))
    if notes is None:
        reasons.append(Reason("bad_notes", f"notes of {rid} are not text"))
        notes = ""
    evidence, evidence_reasons = _check_evidence(rid, entry.get("evidence"), files_in_dir)
    stated = entry.get("level") if entry.get("level") in LEVELS else None
    level = stated or (item.level if item else "")
    requirement = Requirement(category, rid, level, item.level if item else None, status, evidence, notes)
    if item is None:
        return requirement, reasons + evidence_reasons
    if stated != item.level:
        reasons.append(
            Reason("level_changed", f"{rid} is {_show(entry.get('level'))}, checklist: {item.level}")
        )
    # The checklist's level decides, as upstream: a SHOULD may be left blank with no evidence.
    if not (item.level == "SHOULD" and status == "" and not evidence):
        if status not in STATUSES:
            reasons.append(Reason("invalid_status", f"{rid} has status {_show(status)}"))
        if item.level == "MUST" and status != "Implemented":
            reasons.append(Reason("must_not_implemented", f"{rid} is MUST but {_show(status)}"))
        if status == "N/A" and not notes:
            reasons.append(Reason("na_without_notes", f"{rid} is N/A without notes"))
    return requirement, reasons + evidence_reasons


def check_spec(
    spec: object, checklist: Checklist, files_in_dir: frozenset[str]
) -> tuple[list[Requirement], list[Reason]]:
    """Every checklist requirement present, in its category, with an allowed status; MUSTs Implemented."""
    if not isinstance(spec, dict) or not spec:
        return [], [Reason("missing_spec", "no 'spec' mapping")]
    entries, reasons = _read_requirements(spec)
    by_id: dict[str, tuple[str, dict]] = {}
    requirements = []
    for category, entry in entries:
        rid = entry["id"].strip()
        if rid in by_id:
            reasons.append(Reason("duplicate_requirement", f"{rid} appears more than once"))
            continue
        by_id[rid] = (category, entry)
        item = checklist.item(rid)
        if item is None:
            reasons.append(
                Reason("unknown_requirement", f"{category}/{rid} is not in checklist {checklist.version}")
            )
        requirement, found = _check_requirement(category, entry, item, files_in_dir)
        requirements.append(requirement)
        reasons.extend(found)
    for category in dict.fromkeys(i.category for i in checklist.items):
        if category not in spec:
            ids = ", ".join(i.id for i in checklist.items if i.category == category)
            reasons.append(Reason("missing_category", f"{category} ({ids})"))
    for item in checklist.items:
        if item.id not in by_id:
            reasons.append(Reason("missing_requirement", f"{item.category}/{item.id} ({item.level})"))
        elif by_id[item.id][0] != item.category:
            reasons.append(
                Reason(
                    "wrong_category", f"{item.id} is under {by_id[item.id][0]}, checklist: {item.category}"
                )
            )
    return requirements, reasons


def parse_submission(
    data: bytes | None,
    version: str,
    platform: str,
    checklist: Checklist | None,
    files_in_dir: Iterable[str] = (),
) -> Submission:
    """One PRODUCT.yaml, validated against its own version's checklist; every problem becomes a reason.

    `files_in_dir` lists the other files of the submission folder (paths relative to it), taken from the
    same source: evidence paths are checked against it, never against the filesystem.
    """
    doc, reasons = safe_yaml(data, MAX_SUBMISSION_BYTES)
    if reasons:
        return Submission(version, platform, "product", tuple(reasons))
    if not isinstance(doc, dict):
        return Submission(
            version, platform, "product", (Reason("not_a_mapping", "the top level is not a mapping"),)
        )
    metadata, reasons = check_metadata(doc.get("metadata"), version)
    if checklist is None:
        reasons.append(
            Reason("no_checklist", f"no docs/AIConformance-{version[1:]}.yaml to validate against")
        )
        requirements: list[Requirement] = []
        if isinstance(doc.get("spec"), dict):
            requirements, _ = check_spec(doc["spec"], Checklist(version, ()), frozenset(files_in_dir))
    else:
        requirements, spec_reasons = check_spec(doc.get("spec"), checklist, frozenset(files_in_dir))
        reasons.extend(spec_reasons)
    return Submission(version, platform, "product", tuple(reasons), metadata, tuple(requirements))


# ------------------------------------------------------------------------------------------------ JUnit


def _junit_cases(data: bytes | None, name: str) -> tuple[dict[str, tuple[str, str]], list[Reason]]:
    """testcase name -> (status, message) from one JUnit file; DOCTYPE/ENTITY is refused before parsing."""
    if data is None:
        return {}, [Reason("too_large", f"{name} was not stored (over the size limit)")]
    text, reasons = _decode(data, MAX_JUNIT_BYTES)
    if text is None:
        return {}, [Reason(r.code, f"{name}: {r.detail}") for r in reasons]
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return {}, [Reason("xml_doctype", f"{name} declares a DOCTYPE/ENTITY (refused: entity expansion)")]
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, ValueError, RecursionError) as exc:
        return {}, [Reason("xml_error", f"{name}: {str(exc)[:MAX_DETAIL_CHARS]}")]
    cases: dict[str, tuple[str, str]] = {}
    for case in root.iter("testcase"):
        case_name = (case.get("name") or "").strip()
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        if failed is not None:
            found = ("Not Implemented", (failed.get("message") or failed.text or "").strip())
        elif skipped is not None:
            found = ("N/A", (skipped.get("message") or skipped.text or "").strip())
        else:
            found = ("Implemented", "")
        # The same test in two files: the worse outcome counts.
        if case_name not in cases or STATUSES.index(found[0]) > STATUSES.index(cases[case_name][0]):
            cases[case_name] = found
    return cases, []


def parse_junit(files: Mapping[str, bytes | None], version: str, platform: str, checklist: Checklist | None):
    """JUnit XML of a GPU conformance run (one testcase per requirement id) as a submission of its own.

    <failure> or <error> means Not Implemented, <skipped> means N/A (its message is the note); a SHOULD
    without a testcase is left blank, a MUST without one is missing.
    """
    cases: dict[str, tuple[str, str]] = {}
    reasons: list[Reason] = []
    for name in sorted(files):
        found, problems = _junit_cases(files[name], name)
        reasons.extend(problems)
        for case_name, outcome in found.items():
            if case_name not in cases or STATUSES.index(outcome[0]) > STATUSES.index(cases[case_name][0]):
                cases[case_name] = outcome
    if not cases and not reasons:
        reasons.append(Reason("no_testcases", "no <testcase> elements"))
    if checklist is None:
        reasons.append(
            Reason("no_checklist", f"no docs/AIConformance-{version[1:]}.yaml to validate against")
        )
        checklist = Checklist(version, ())
    requirements = []
    for case_name, (status, message) in cases.items():
        item = checklist.item(case_name)
        if item is None:
            if checklist.items:
                reasons.append(
                    Reason("unknown_requirement", f"testcase {_show(case_name)} is no requirement id")
                )
            continue
        requirements.append(Requirement(item.category, item.id, item.level, item.level, status, (), message))
        if item.level == "MUST" and status != "Implemented":
            reasons.append(Reason("must_not_implemented", f"{item.id} is MUST but {_show(status)}"))
        if status == "N/A" and not message:
            reasons.append(Reason("na_without_notes", f"{item.id} was skipped without a message"))
    for item in checklist.items:
        if item.level == "MUST" and item.id not in cases:
            reasons.append(Reason("missing_requirement", f"{item.category}/{item.id} (MUST) has no testcase"))
    order = {i.id: n for n, i in enumerate(checklist.items)}
    requirements.sort(key=lambda r: order.get(r.id, len(order)))
    return Submission(version, platform, "junit", tuple(reasons), {}, tuple(requirements))


# -------------------------------------------------------------------------------------------- citations


def project_terms(
    aliases: Sequence[str], repos: Sequence[str] = (), former_names: Sequence[str] = ()
) -> tuple:
    """The names that identify a project in evidence: its aliases, and owner/name and name of every repo."""
    terms: dict[str, None] = {}
    for term in [*aliases, *repos, *former_names, *(r.split("/", 1)[-1] for r in (*repos, *former_names))]:
        term = term.strip()
        if term:
            terms.setdefault(term.lower(), None)
    return tuple(terms)


def _term_pattern(term: str) -> re.Pattern:
    # Separators are interchangeable: 'kai-scheduler' also finds 'KAI Scheduler' and 'kai_scheduler'.
    parts = [re.escape(p) for p in SEPARATORS.split(term.strip()) if p]
    return re.compile(r"[\s_-]+".join(parts), re.IGNORECASE)


def _word_at(text: str, start: int, end: int) -> bool:
    """The match is a whole word: not inside a longer word ('kaito' in 'kaitoolkit'), CamelCase joins allowed.

    A CamelCase join counts as a boundary because test names such as 'GangScheduling_ViaKueue' cite Kueue.
    """
    before = (
        start == 0 or not text[start - 1].isalnum() or (text[start - 1].islower() and text[start].isupper())
    )
    after = end == len(text) or not text[end].isalnum() or (text[end - 1].islower() and text[end].isupper())
    return before and after


def mentions(text: str, term: str) -> bool:
    """Case-insensitive whole-word occurrence of `term` in `text`."""
    return any(_word_at(text, m.start(), m.end()) for m in _term_pattern(term).finditer(text))


def find_citations(
    requirement: Requirement, aliases: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    """Projects a requirement's evidence or notes name: project -> the terms that matched.

    `aliases` maps each project to its terms (see project_terms). The checklist's own description is not
    searched: it names Kueue and Volcano as examples in every submission.
    """
    texts = [*requirement.evidence, requirement.notes]
    found = {}
    for project, terms in aliases.items():
        matched = tuple(t for t in terms if any(mentions(text, t) for text in texts if text))
        if matched:
            found[project] = matched
    return found

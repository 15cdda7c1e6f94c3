"""Validation of conformance submissions: each rule on a real submission altered one way, hostile files, JUnit."""

import csv
import functools
import time
from pathlib import Path

import pytest
import yaml

from metrics import conformance as cf

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "source" / "conformance"


def checklist(version: str) -> cf.Checklist:
    return cf.load_checklist((FIXTURES / "docs" / f"AIConformance-{version[1:]}.yaml").read_bytes(), version)


def files_in_dir(version: str, platform: str) -> set[str]:
    """The submission folder as the crawled repo holds it: the copied files plus evidence_files.csv."""
    folder = FIXTURES / version / platform
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    with (FIXTURES / "evidence_files.csv").open() as fh:
        prefix = f"{version}/{platform}/"
        names |= {r["path"][len(prefix) :] for r in csv.DictReader(fh) if r["path"].startswith(prefix)}
    return names


def real(version: str = "v1.35", platform: str = "gke") -> dict:
    return yaml.safe_load((FIXTURES / version / platform / "PRODUCT.yaml").read_bytes())


def parse(doc, version: str = "v1.35", platform: str = "gke", files=None) -> cf.Submission:
    data = doc if isinstance(doc, bytes) else yaml.safe_dump(doc, sort_keys=False).encode()
    return cf.parse_submission(
        data, version, platform, checklist(version), files or files_in_dir(version, platform)
    )


@functools.cache
def fixture_submissions() -> dict[tuple[str, str], cf.Submission]:
    found = {}
    for product in sorted(FIXTURES.glob("v*/*/PRODUCT.yaml")):
        v, p = product.parts[-3], product.parts[-2]
        found[v, p] = parse(product.read_bytes(), v, p)
    return found


def requirement(doc: dict, rid: str) -> dict:
    return next(r for reqs in doc["spec"].values() for r in reqs if r["id"] == rid)


def codes(sub: cf.Submission) -> list[str]:
    return [r.code for r in sub.reasons]


# ------------------------------------------------------------------------------------------ valid input


def test_a_real_valid_submission_is_valid_with_counts_from_the_file():
    sub = parse((FIXTURES / "v1.35" / "gke" / "PRODUCT.yaml").read_bytes())
    assert sub.valid, [str(r) for r in sub.reasons]
    assert (sub.must_total, sub.must_implemented, len(sub.requirements)) == (9, 9, 12)
    assert sub.metadata["vendorName"] == "Google"


def test_a_submission_with_local_evidence_files_is_valid():
    sub = parse((FIXTURES / "v1.35" / "kops" / "PRODUCT.yaml").read_bytes(), platform="kops")
    assert sub.valid, [str(r) for r in sub.reasons]


def test_counts_match_the_hand_derived_index_for_all_60_submissions():
    with (FIXTURES / "index.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 60
    for row in rows:
        v, p = row["version"], row["platform_dir"]
        sub = fixture_submissions()[v, p]
        assert (sub.must_total, sub.must_implemented, len(sub.requirements)) == (
            int(row["must_total"]),
            int(row["must_implemented"]),
            int(row["requirements"]),
        ), f"{v}/{p}"


# --------------------------------------------------------------------------------- one rule at a time


def test_a_missing_requirement_is_a_reason():
    doc = real()
    doc["spec"]["schedulingOrchestration"] = [
        r for r in doc["spec"]["schedulingOrchestration"] if r["id"] != "gang_scheduling"
    ]
    sub = parse(doc)
    assert codes(sub) == ["missing_requirement"]
    assert "gang_scheduling" in sub.reasons[0].detail


def test_a_missing_should_requirement_is_also_a_reason():
    doc = real()
    doc["spec"]["accelerators"] = [r for r in doc["spec"]["accelerators"] if r["id"] != "gpu_sharing"]
    assert codes(parse(doc)) == ["missing_requirement"]


def test_an_unknown_requirement_id_is_a_reason():
    doc = real()
    doc["spec"]["operator"].append(
        {"id": "made_up", "level": "MUST", "status": "Implemented", "evidence": []}
    )
    assert codes(parse(doc)) == ["unknown_requirement"]


def test_a_status_outside_the_four_values_is_a_reason():
    doc = real()
    requirement(doc, "gpu_sharing")["status"] = "Done"  # a SHOULD: only the status itself is wrong
    sub = parse(doc)
    assert codes(sub) == ["invalid_status"]
    assert "'Done'" in sub.reasons[0].detail


def test_statuses_are_case_sensitive_as_upstream():
    doc = real()
    requirement(doc, "gpu_sharing")["status"] = "implemented"
    assert codes(parse(doc)) == ["invalid_status"]


def test_a_should_may_be_left_blank():
    doc = real()
    requirement(doc, "gpu_sharing").update(status="", evidence=[], notes="")
    assert parse(doc).valid


def test_a_blank_should_with_evidence_is_not_blank():
    doc = real()
    requirement(doc, "gpu_sharing")["status"] = ""
    assert codes(parse(doc)) == ["invalid_status"]


def test_a_must_not_implemented_is_a_reason():
    doc = real()
    requirement(doc, "gang_scheduling")["status"] = "Partially Implemented"
    sub = parse(doc)
    assert codes(sub) == ["must_not_implemented"]
    assert not sub.valid and sub.must_implemented == 8


def test_n_a_on_a_must_is_not_implemented():
    doc = real()
    requirement(doc, "cluster_autoscaling").update(status="N/A", notes="no autoscaler")
    assert codes(parse(doc)) == ["must_not_implemented"]


def test_n_a_without_notes_is_a_reason():
    doc = real()
    requirement(doc, "gpu_sharing").update(status="N/A", notes="")
    assert codes(parse(doc)) == ["na_without_notes"]


def test_n_a_with_notes_on_a_should_is_fine():
    doc = real()
    requirement(doc, "gpu_sharing").update(status="N/A", notes="no shareable accelerators")
    assert parse(doc).valid


@pytest.mark.parametrize("field", ["platformName", "vendorName", "websiteUrl", "description"])
def test_template_placeholders_are_a_reason(field):
    doc = real()
    doc["metadata"][field] = "[Platform Name]"
    assert codes(parse(doc)) == ["placeholder_metadata"]


def test_empty_metadata_is_a_reason():
    doc = real()
    doc["metadata"]["vendorName"] = ""
    assert codes(parse(doc)) == ["empty_metadata"]


def test_missing_metadata_is_a_reason():
    doc = real()
    del doc["metadata"]["documentationUrl"]
    sub = parse(doc)
    assert codes(sub) == ["missing_metadata"]
    assert sub.reasons[0].detail == "documentationUrl (or documentation_url)"


def test_k8s_conformance_url_is_required_as_schema_md_says():
    doc = real()
    del doc["metadata"]["k8sConformanceUrl"]
    assert codes(parse(doc)) == ["missing_metadata"]


def test_repo_url_is_optional():
    doc = real()
    doc["metadata"].pop("repoUrl", None)
    assert parse(doc).valid
    doc["metadata"]["repoUrl"] = "N/A"  # closed source, as three real submissions say
    assert parse(doc).valid


def test_snake_case_metadata_is_accepted_as_upstream_does():
    doc = real()
    doc["metadata"] = {cf.snake_case(k): v for k, v in doc["metadata"].items()}
    assert "website_url" in doc["metadata"] and "k8s_conformance_url" in doc["metadata"]
    sub = parse(doc)
    assert sub.valid, [str(r) for r in sub.reasons]
    assert sub.metadata["platformName"] == real()["metadata"]["platformName"]


def test_a_malformed_url_is_a_reason_reachability_is_not_checked():
    doc = real()
    doc["metadata"]["websiteUrl"] = "cloud dot google dot com"
    assert codes(parse(doc)) == ["bad_url"]
    doc["metadata"]["websiteUrl"] = "https://unreachable.invalid/"  # well-formed: accepted, no network here
    assert parse(doc).valid


def test_a_k8s_conformance_url_outside_cncf_k8s_conformance_is_a_reason():
    doc = real()
    doc["metadata"]["k8sConformanceUrl"] = "https://example.com/v1.35/gke"
    assert codes(parse(doc)) == ["bad_k8s_conformance_url"]


def test_a_raster_logo_is_a_reason():
    doc = real()
    doc["metadata"]["productLogoUrl"] = "https://example.com/logo.png"
    assert codes(parse(doc)) == ["logo_not_vector"]


def test_a_malformed_contact_address_is_a_reason():
    doc = real()
    doc["metadata"]["contactEmailAddress"] = "nobody"
    assert codes(parse(doc)) == ["bad_email"]


def test_metadata_for_another_kubernetes_version_is_a_reason():
    doc = real()
    doc["metadata"]["kubernetesVersion"] = "v1.34"
    assert codes(parse(doc)) == ["version_mismatch"]
    doc["metadata"]["kubernetesVersion"] = "v1.35.3"  # a patch release of the folder's minor is fine
    assert parse(doc).valid


def test_numeric_metadata_is_complete():
    doc = real()
    doc["metadata"]["platformVersion"] = 1.0  # as v1.34/ovh writes it
    assert parse(doc).valid


def test_a_missing_category_is_a_reason():
    doc = real()
    del doc["spec"]["operator"]
    assert codes(parse(doc)) == ["missing_category", "missing_requirement"]


def test_a_requirement_in_the_wrong_category_is_a_reason():
    doc = real()
    moved = doc["spec"]["operator"].pop()
    doc["spec"]["security"].append(moved)
    assert codes(parse(doc)) == ["wrong_category"]


def test_a_duplicate_requirement_is_a_reason():
    doc = real()
    doc["spec"]["operator"].append(dict(doc["spec"]["operator"][0]))
    assert codes(parse(doc)) == ["duplicate_requirement"]


def test_a_changed_level_is_a_reason_and_the_checklist_level_decides():
    doc = real()
    requirement(doc, "gang_scheduling").update(level="SHOULD", status="")
    assert codes(parse(doc)) == ["level_changed", "invalid_status", "must_not_implemented"]


def test_evidence_that_is_not_a_list_is_a_reason():
    doc = real()
    requirement(doc, "gang_scheduling")["evidence"] = "N/A"  # as v1.33/talos writes it
    assert codes(parse(doc)) == ["bad_evidence"]


def test_a_relative_evidence_file_must_exist_in_the_same_source():
    doc = real("v1.35", "kops")
    requirement(doc, "gang_scheduling")["evidence"] = ["tests/NoSuchTest/output.md"]
    assert codes(parse(doc, platform="kops")) == ["evidence_file_missing"]


def test_relative_evidence_may_carry_an_anchor_and_a_dot_slash():
    doc = real("v1.35", "kops")
    requirement(doc, "gang_scheduling")["evidence"] = [
        "./tests/TestSchedulingOrchestration_GangScheduling_ViaKueue/output.md#result"
    ]
    assert parse(doc, platform="kops").valid


@pytest.mark.parametrize(
    "link", ["../../etc/passwd", "/etc/passwd", "tests/../../gke/PRODUCT.yaml", "C:\\boot.ini"]
)
def test_evidence_paths_must_stay_inside_the_submission_folder(link):
    doc = real()
    requirement(doc, "gang_scheduling")["evidence"] = [link]
    sub = parse(doc, files=files_in_dir("v1.35", "gke") | {"../../etc/passwd", "/etc/passwd"})
    assert codes(sub) == ["evidence_path_outside"]


@pytest.mark.parametrize("link", ["file:///etc/passwd", "javascript:alert(1)", "https://exa mple.com/x"])
def test_evidence_links_other_than_http_urls_are_a_reason(link):
    doc = real()
    requirement(doc, "gang_scheduling")["evidence"] = [link]
    assert codes(parse(doc)) == ["bad_evidence_url"]


def test_a_version_without_checklist_is_a_reason():
    data = (FIXTURES / "v1.35" / "gke" / "PRODUCT.yaml").read_bytes()
    sub = cf.parse_submission(data, "v1.35", "gke", None, ())
    assert codes(sub) == ["no_checklist"]
    assert sub.requirements  # still parsed, so its citations are still seen


def test_every_reason_is_listed_not_just_the_first():
    doc = real()
    doc["metadata"]["platformName"] = "[Platform Name]"
    requirement(doc, "gang_scheduling")["status"] = "Not Implemented"
    requirement(doc, "gpu_sharing").update(status="N/A", notes="")
    requirement(doc, "robust_controller")["evidence"] = ["../secret"]
    assert sorted(codes(parse(doc))) == [
        "evidence_path_outside",
        "must_not_implemented",
        "na_without_notes",
        "placeholder_metadata",
    ]


def test_the_real_fixtures_are_judged_as_documented():
    """31 of the 60 real submissions pass every rule; each invalid one has at least one reason."""
    subs = fixture_submissions().values()
    assert all(sub.valid == (not sub.reasons) for sub in subs)
    assert (len(subs), sum(sub.valid for sub in subs)) == (60, 31)


# ------------------------------------------------------------------------------------------- hostile


def hostile(data: bytes | None) -> cf.Submission:
    return cf.parse_submission(data, "v1.35", "evil", checklist("v1.35"), ())


def test_an_alias_bomb_is_refused_without_expanding():
    bomb = [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        bomb.append(f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{', '.join(['*' + prev] * 9)}]".encode())
    start = time.perf_counter()
    sub = hostile(b"\n".join(bomb))
    assert codes(sub) == ["yaml_aliases"]
    assert time.perf_counter() - start < 1.0


def test_a_few_anchors_are_still_fine():
    doc = b"metadata: &m {platformName: x}\nother: *m\nspec: {}\n"
    sub = hostile(doc)
    assert "yaml_aliases" not in codes(sub) and "missing_spec" in codes(sub)


def test_a_50_mb_file_is_refused_by_size_before_parsing(tmp_path):
    big = tmp_path / "PRODUCT.yaml"
    with big.open("wb") as fh:
        fh.write(b"metadata:\n  description: '")
        fh.write(b"x" * (50 * 1024 * 1024))
        fh.write(b"'\n")
    start = time.perf_counter()
    sub = hostile(big.read_bytes())
    assert codes(sub) == ["too_large"]
    assert time.perf_counter() - start < 1.0


def test_a_file_not_stored_for_its_size_is_too_large():
    assert codes(hostile(None)) == ["too_large"]


def test_deep_nesting_is_refused():
    assert codes(hostile(b"[" * 200 + b"]" * 200)) == ["too_deep"]
    assert codes(hostile(b"[" * 100_000 + b"]" * 100_000)) in (["too_deep"], ["yaml_error"])


def test_python_object_tags_are_refused_by_safe_load():
    sub = hostile(b'metadata: !!python/object/apply:os.system ["echo pwned"]\n')
    assert codes(sub) == ["yaml_error"]


@pytest.mark.parametrize(
    "garbage", [bytes(range(256)) * 16, b"\x89PNG\r\n\x1a\n\x00\x00", "é".encode("latin-1")]
)
def test_binary_garbage_is_a_reason(garbage):
    assert codes(hostile(garbage)) == ["not_text"]


@pytest.mark.parametrize("empty", [b"", b"   \n\n"])
def test_an_empty_file_is_a_reason(empty):
    assert codes(hostile(empty)) == ["empty_file"]


@pytest.mark.parametrize("doc", [b"- a\n- b\n", b"just text\n", b"null\n"])
def test_a_document_that_is_not_a_mapping_is_a_reason(doc):
    assert codes(hostile(doc)) == ["not_a_mapping"]


def test_broken_yaml_is_a_reason_with_its_line():
    sub = hostile(b"metadata:\n  a: [unclosed\nspec: {}\n")
    assert codes(sub) == ["yaml_error"] and "line" in sub.reasons[0].detail


def test_wrong_shapes_inside_a_document_are_reasons_not_crashes():
    doc = {"metadata": ["not", "a", "mapping"], "spec": {"accelerators": "nope", "networking": [None, 3]}}
    sub = parse(doc)
    assert not sub.valid
    assert {"missing_metadata_section", "bad_category", "bad_requirement", "missing_requirement"} <= set(
        codes(sub)
    )


def test_reason_details_stay_short_on_huge_values():
    doc = real()
    requirement(doc, "gpu_sharing")["status"] = "x" * 100_000
    assert len(str(parse(doc).reasons[0])) < 200


# --------------------------------------------------------------------------------------------- JUnit


def junit(cases: dict[str, str]) -> bytes:
    """A JUnit file: requirement id -> 'pass' | 'failure' | 'error' | 'skipped'."""
    body = []
    for name, outcome in cases.items():
        inner = "" if outcome == "pass" else f'<{outcome} message="{outcome} in {name}"/>'
        body.append(f'<testcase classname="ai-conformance" name="{name}">{inner}</testcase>')
    return f'<?xml version="1.0"?><testsuite name="ai">{"".join(body)}</testsuite>'.encode()


MUSTS_135 = [i.id for i in checklist("v1.35").items if i.level == "MUST"]


def test_a_junit_run_with_every_must_passing_is_valid():
    sub = cf.parse_junit(
        {"junit_01.xml": junit(dict.fromkeys(MUSTS_135, "pass"))}, "v1.35", "lab", checklist("v1.35")
    )
    assert sub.valid and sub.kind == "junit"
    assert (sub.must_total, sub.must_implemented) == (9, 9)


@pytest.mark.parametrize("outcome", ["failure", "error"])
def test_a_junit_run_with_a_failing_must_is_invalid(outcome):
    cases = dict.fromkeys(MUSTS_135, "pass") | {"gang_scheduling": outcome}
    sub = cf.parse_junit({"junit_01.xml": junit(cases)}, "v1.35", "lab", checklist("v1.35"))
    assert codes(sub) == ["must_not_implemented"]
    gang = next(r for r in sub.requirements if r.id == "gang_scheduling")
    assert gang.status == "Not Implemented" and outcome in gang.notes


def test_a_failure_in_a_second_junit_file_wins():
    first = junit(dict.fromkeys(MUSTS_135, "pass"))
    second = junit({"gang_scheduling": "failure"})
    sub = cf.parse_junit({"junit_01.xml": first, "junit_02.xml": second}, "v1.35", "lab", checklist("v1.35"))
    assert codes(sub) == ["must_not_implemented"]


def test_a_junit_run_missing_a_must_or_naming_unknown_tests_is_invalid():
    cases = dict.fromkeys(MUSTS_135[1:], "pass") | {"not_a_requirement": "pass"}
    sub = cf.parse_junit({"junit_01.xml": junit(cases)}, "v1.35", "lab", checklist("v1.35"))
    assert sorted(codes(sub)) == ["missing_requirement", "unknown_requirement"]


def test_a_junit_entity_bomb_is_refused_before_parsing():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><testsuite/>'
    )
    sub = cf.parse_junit({"junit_01.xml": bomb}, "v1.35", "lab", checklist("v1.35"))
    assert codes(sub)[0] == "xml_doctype"


@pytest.mark.parametrize("data", [b"<testsuite><testcase", b"\x00\x01binary", b""])
def test_broken_junit_is_a_reason(data):
    sub = cf.parse_junit({"junit_01.xml": data}, "v1.35", "lab", checklist("v1.35"))
    assert not sub.valid and codes(sub)[0] in {"xml_error", "not_text", "empty_file"}


def test_a_megabyte_long_requirement_id_is_no_requirement():
    doc = real()
    doc["spec"]["operator"].append({"id": "x" * 500_000, "level": "MUST", "status": "Implemented"})
    sub = parse(doc)
    assert codes(sub) == ["bad_requirement"]
    assert len(str(sub.reasons[0])) < 200

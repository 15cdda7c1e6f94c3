"""The GPU conformance probe against a fake nvidia-smi on PATH, and its JUnit file through the gate's parser."""

import os
import stat
import xml.etree.ElementTree as ET

import pytest

from metrics import conformance as cf
from pipelines.conformance import gpu_probe
from tests.pipelines.test_conformance_assets import FIXTURES

SMI = """#!/bin/sh
case "$1" in
  --query-gpu=*) printf '%s\\n' {rows} ;;
  *) printf '%s\\n' '| NVIDIA-SMI 570.86.15   Driver Version: 570.86.15   CUDA Version: {cuda} |' ;;
esac
"""
H100 = "'0, NVIDIA H100 80GB HBM3, GPU-aaaa, 570.86.15, 7, 1024, 81559'"
NO_METRICS = "'0, NVIDIA H100 80GB HBM3, GPU-aaaa, 570.86.15, [N/A], 1024, 81559'"


@pytest.fixture
def smi(tmp_path, monkeypatch):
    def install(rows: str = H100, cuda: str = "12.8") -> None:
        exe = tmp_path / "bin" / "nvidia-smi"
        exe.parent.mkdir(exist_ok=True)
        exe.write_text(SMI.format(rows=rows, cuda=cuda))
        exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}/usr/bin{os.pathsep}/bin")

    return install


def kernel_ok(device: int) -> str:
    return f"device {device}: add_one over 65536 floats, every element checked"


def cases(xml: bytes) -> dict[str, str | None]:
    root = ET.fromstring(xml)
    return {c.get("name"): (c.find("failure").get("message") if c.find("failure") is not None else None)
            for c in root.iter("testcase")}  # fmt: skip


def test_a_healthy_node_passes_both_checks_and_names_the_machine(smi, tmp_path):
    smi()
    out = tmp_path / "junit_gpu_probe.xml"
    assert gpu_probe.main(["--junit", str(out), "--platform", "lab"], kernel=kernel_ok) == 0
    xml = out.read_bytes()
    assert cases(xml) == {"driver_runtime_management": None, "accelerator_metrics": None}
    suite = ET.fromstring(xml).find("testsuite")
    assert suite.get("hostname").endswith("(NVIDIA H100 80GB HBM3)")
    assert suite.get("tests") == "2" and suite.get("failures") == "0"
    text = xml.decode()
    assert "driver 570.86.15" in text and "CUDA 12.8" in text and "memory 1024/81559 MiB" in text


def test_a_kernel_that_cannot_run_fails_driver_runtime_management_with_the_reason(smi, tmp_path):
    smi()

    def broken(device: int) -> str:
        raise gpu_probe.ProbeError(
            f"cuModuleLoadData (PTX JIT) failed on device {device}: CUDA_ERROR_NO_BINARY_FOR_GPU (209)"
        )

    out = tmp_path / "j.xml"
    assert gpu_probe.main(["--junit", str(out)], kernel=broken) == 1
    found = cases(out.read_bytes())
    assert "CUDA_ERROR_NO_BINARY_FOR_GPU" in found["driver_runtime_management"]
    assert found["accelerator_metrics"] is None


def test_unreadable_metrics_fail_accelerator_metrics(smi, tmp_path):
    smi(rows=NO_METRICS)
    out = tmp_path / "j.xml"
    gpu_probe.main(["--junit", str(out)], kernel=kernel_ok)
    assert cases(out.read_bytes())["accelerator_metrics"] == "GPU 0 utilization.gpu is not a number ('[N/A]')"


def test_no_nvidia_smi_fails_every_check_with_one_clear_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there
    out = tmp_path / "j.xml"
    assert gpu_probe.main(["--junit", str(out)], kernel=kernel_ok) == 1
    assert set(cases(out.read_bytes()).values()) == {
        "nvidia-smi not found on PATH (no NVIDIA driver on this machine?)"
    }


def test_without_libcuda_the_real_kernel_says_so(smi, tmp_path, monkeypatch):
    smi()

    def no_lib(name, *a, **k):
        raise OSError(name)

    monkeypatch.setattr(gpu_probe.ctypes, "CDLL", no_lib)
    with pytest.raises(gpu_probe.ProbeError, match="libcuda.so.1 not found"):
        gpu_probe.run_kernel(0)


def test_the_gate_reads_the_probe_file_as_a_submission_of_its_own(smi, tmp_path):
    smi(rows=NO_METRICS)
    out = tmp_path / "junit_gpu_probe.xml"
    gpu_probe.main(["--junit", str(out)], kernel=kernel_ok)
    checklist = cf.load_checklist((FIXTURES / "docs" / "AIConformance-1.35.yaml").read_bytes(), "v1.35")
    sub = cf.parse_junit({"junit_gpu_probe.xml": out.read_bytes()}, "v1.35", "gpu-node", checklist)
    status = {r.id: r.status for r in sub.requirements}
    assert status == {"driver_runtime_management": "Implemented", "accelerator_metrics": "Not Implemented"}
    codes = [r.code for r in sub.reasons]
    # a failed MUST, and the cluster-level MUSTs one node cannot show are missing: never valid
    assert "must_not_implemented" in codes and codes.count("missing_requirement") == 8

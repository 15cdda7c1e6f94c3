"""A GPU conformance probe: what the AI Conformance checklist asks of accelerators that one node can show.

    python -m pipelines.conformance.gpu_probe --junit out.xml [--platform NAME]

It writes JUnit XML with one testcase per requirement id it can check, which the conformance gate ingests
like any other run (put it at `$VITALS_CONFORMANCE_DIR/v<k8s>/<platform>/junit_gpu_probe.xml`):

- `driver_runtime_management`: `nvidia-smi` lists at least one accelerator with its driver version, the
  driver reports the CUDA version it supports, and a small compute kernel (PTX, JIT-compiled by the driver
  through `libcuda`, no CUDA toolkit or Python GPU package needed) runs on every device and gives the
  expected result. The container runtime's version (`nvidia-ctk` / `nvidia-container-cli`) is recorded
  when present.
- `accelerator_metrics`: per-accelerator utilisation and memory (used and total) are readable as numbers.

Cluster-level requirements (DRA, gang scheduling, autoscaling...) cannot be shown by one node, so the
probe writes no testcase for them: its submission row lists those MUSTs as missing, which is the truth
about what a single-node probe proves. The testsuite names the machine (host name, accelerator model).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import re
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

QUERY = "index,name,uuid,driver_version,utilization.gpu,memory.used,memory.total"
TIMEOUT_S = 30
N = 1 << 16  # elements the kernel adds one to


@dataclass
class Check:
    """One testcase: a requirement id, whether it held, and what was seen."""

    requirement_id: str
    passed: bool
    message: str
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Gpu:
    index: int
    name: str
    uuid: str
    driver: str
    utilization: str
    memory_used: str
    memory_total: str


class ProbeError(RuntimeError):
    """A tool the probe needs is missing or failed; the message says which."""


# ---------------------------------------------------------------------------------------------- nvidia-smi


def nvidia_smi(*args: str) -> str:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        raise ProbeError("nvidia-smi not found on PATH (no NVIDIA driver on this machine?)")
    try:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise ProbeError(f"nvidia-smi {' '.join(args)} did not answer within {TIMEOUT_S}s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ProbeError(f"nvidia-smi exited {done.returncode}: {detail[0] if detail else 'no output'}")
    return done.stdout


def list_gpus() -> list[Gpu]:
    out = nvidia_smi(f"--query-gpu={QUERY}", "--format=csv,noheader,nounits")
    gpus = []
    for line in out.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(QUERY.split(",")) or not cells[0].isdigit():
            raise ProbeError(f"nvidia-smi gave a line this probe cannot read: {line.strip()[:120]!r}")
        gpus.append(Gpu(int(cells[0]), *cells[1:]))
    return gpus


def cuda_version() -> str | None:
    match = re.search(r"CUDA Version:\s*([0-9][0-9.]*)", nvidia_smi())
    return match.group(1) if match else None


def container_runtime() -> str | None:
    for tool in ("nvidia-ctk", "nvidia-container-cli"):
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            done = subprocess.run(
                [exe, "--version"], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        first = (done.stdout or done.stderr).strip().splitlines()
        if done.returncode == 0 and first:
            return f"{tool}: {first[0].strip()}"
    return None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None  # "[N/A]", "[Not Supported]"


# ------------------------------------------------------------------------------------------ the kernel

# y[i] = y[i] + 1 for i < n; PTX ISA 6.0 for sm_50, which every driver since CUDA 10 JIT-compiles for its GPU.
PTX = rb"""
.version 6.0
.target sm_50
.address_size 64
.visible .entry add_one(.param .u64 y, .param .u32 n)
{
    .reg .pred  %p<2>;
    .reg .b32   %r<6>;
    .reg .b64   %rd<5>;
    .reg .f32   %f<3>;
    ld.param.u64    %rd1, [y];
    ld.param.u32    %r2, [n];
    mov.u32         %r3, %ctaid.x;
    mov.u32         %r4, %ntid.x;
    mov.u32         %r5, %tid.x;
    mad.lo.s32      %r1, %r3, %r4, %r5;
    setp.ge.u32     %p1, %r1, %r2;
    @%p1 bra        DONE;
    cvta.to.global.u64 %rd2, %rd1;
    mul.wide.u32    %rd3, %r1, 4;
    add.s64         %rd4, %rd2, %rd3;
    ld.global.f32   %f1, [%rd4];
    add.f32         %f2, %f1, 0f3F800000;
    st.global.f32   [%rd4], %f2;
DONE:
    ret;
}
"""


def run_kernel(device: int) -> str:
    """Run `add_one` on `device` through the CUDA driver API and check every element; returns what ran.
    Raises ProbeError with the driver's error name when any step fails."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        raise ProbeError(
            "libcuda.so.1 not found: the NVIDIA driver's CUDA library is not installed"
        ) from None
    u64, c_int, c_uint, vp = ctypes.c_uint64, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p
    cuda.cuMemAlloc_v2.argtypes = [ctypes.POINTER(u64), ctypes.c_size_t]
    cuda.cuMemcpyHtoD_v2.argtypes = [u64, vp, ctypes.c_size_t]
    cuda.cuMemcpyDtoH_v2.argtypes = [vp, u64, ctypes.c_size_t]
    cuda.cuMemFree_v2.argtypes = [u64]
    cuda.cuLaunchKernel.argtypes = [vp, c_uint, c_uint, c_uint, c_uint, c_uint, c_uint, c_uint, vp, vp, vp]

    def ok(code: int, step: str) -> None:
        if code != 0:
            name = ctypes.c_char_p()
            cuda.cuGetErrorName(code, ctypes.byref(name))
            raise ProbeError(f"{step} failed on device {device}: {(name.value or b'?').decode()} ({code})")

    ok(cuda.cuInit(0), "cuInit")
    handle, ctx, module, fn, dptr = c_int(), vp(), vp(), vp(), u64()
    ok(cuda.cuDeviceGet(ctypes.byref(handle), device), "cuDeviceGet")
    ok(cuda.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), handle), "cuDevicePrimaryCtxRetain")
    try:
        ok(cuda.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
        ok(
            cuda.cuModuleLoadData(ctypes.byref(module), ctypes.c_char_p(PTX + b"\0")),
            "cuModuleLoadData (PTX JIT)",
        )
        ok(cuda.cuModuleGetFunction(ctypes.byref(fn), module, b"add_one"), "cuModuleGetFunction")
        host = (ctypes.c_float * N)(*range(N))
        ok(cuda.cuMemAlloc_v2(ctypes.byref(dptr), N * 4), "cuMemAlloc")
        try:
            ok(cuda.cuMemcpyHtoD_v2(dptr.value, host, N * 4), "cuMemcpyHtoD")
            arg_y, arg_n = u64(dptr.value), ctypes.c_uint32(N)
            params = (vp * 2)(ctypes.cast(ctypes.byref(arg_y), vp), ctypes.cast(ctypes.byref(arg_n), vp))
            block = 256
            ok(cuda.cuLaunchKernel(fn, (N + block - 1) // block, 1, 1, block, 1, 1, 0, None, params, None),
               "cuLaunchKernel")  # fmt: skip
            ok(cuda.cuCtxSynchronize(), "cuCtxSynchronize")
            ok(cuda.cuMemcpyDtoH_v2(host, dptr.value, N * 4), "cuMemcpyDtoH")
        finally:
            cuda.cuMemFree_v2(dptr.value)
            if module.value:
                cuda.cuModuleUnload(module)
    finally:
        cuda.cuDevicePrimaryCtxRelease(handle)
    wrong = next((i for i in range(N) if host[i] != i + 1), None)
    if wrong is not None:
        raise ProbeError(
            f"the kernel ran on device {device} but element {wrong} is {host[wrong]}, not {wrong + 1}"
        )
    return f"device {device}: add_one over {N} floats, every element checked"


# ------------------------------------------------------------------------------------------- the checks


def _timed(requirement_id: str, body: Callable[[], Check]) -> Check:
    start = time.monotonic()
    try:
        check = body()
    except ProbeError as exc:
        check = Check(requirement_id, False, str(exc))
    check.seconds = time.monotonic() - start
    return check


def check_driver_runtime(kernel: Callable[[int], str] = run_kernel) -> Check:
    def body() -> Check:
        gpus = list_gpus()
        if not gpus:
            return Check("driver_runtime_management", False, "nvidia-smi lists no accelerator")
        details = [f"GPU {g.index}: {g.name} ({g.uuid}), driver {g.driver}" for g in gpus]
        cuda = cuda_version()
        details.append(f"CUDA version supported by the driver: {cuda or 'not reported'}")
        details.append(
            f"container runtime: {container_runtime() or 'not found (nvidia-ctk, nvidia-container-cli)'}"
        )
        problems = [
            f"GPU {g.index} reports no driver version" for g in gpus if not g.driver or "N/A" in g.driver
        ]
        if not cuda:
            problems.append("nvidia-smi does not report a CUDA version")
        for g in gpus:
            try:
                details.append(kernel(g.index))
            except ProbeError as exc:
                problems.append(str(exc))
        message = "; ".join(problems) if problems else (
            f"{len(gpus)} accelerator(s), driver {gpus[0].driver}, CUDA {cuda}, a compute kernel ran on each"
        )  # fmt: skip
        return Check("driver_runtime_management", not problems, message, details)

    return _timed("driver_runtime_management", body)


def check_accelerator_metrics() -> Check:
    def body() -> Check:
        gpus = list_gpus()
        if not gpus:
            return Check("accelerator_metrics", False, "nvidia-smi lists no accelerator")
        details, problems = [], []
        for g in gpus:
            values = {
                "utilization.gpu": g.utilization,
                "memory.used": g.memory_used,
                "memory.total": g.memory_total,
            }
            details.append(
                f"GPU {g.index}: utilization {g.utilization} %, memory {g.memory_used}/{g.memory_total} MiB"
            )
            problems += [
                f"GPU {g.index} {k} is not a number ({v!r})" for k, v in values.items() if _number(v) is None
            ]
        message = (
            "; ".join(problems)
            if problems
            else f"utilisation and memory readable for {len(gpus)} accelerator(s)"
        )
        return Check("accelerator_metrics", not problems, message, details)

    return _timed("accelerator_metrics", body)


def probe(kernel: Callable[[int], str] = run_kernel) -> list[Check]:
    return [check_driver_runtime(kernel), check_accelerator_metrics()]


def machine_name() -> str:
    try:
        models = sorted({g.name for g in list_gpus()})
    except ProbeError:
        models = []
    return f"{socket.gethostname()} ({', '.join(models) or 'no accelerator found'})"


def junit_xml(checks: Sequence[Check], machine: str, platform: str | None = None) -> bytes:
    suite = ET.Element(
        "testsuite",
        {
            "name": "vitals-gpu-probe",
            "hostname": machine,
            "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tests": str(len(checks)),
            "failures": str(sum(not c.passed for c in checks)),
            "errors": "0",
            "time": f"{sum(c.seconds for c in checks):.3f}",
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (("machine", machine), ("platform", platform or "")):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for check in checks:
        case = ET.SubElement(
            suite,
            "testcase",
            {"name": check.requirement_id, "classname": "gpu_probe", "time": f"{check.seconds:.3f}"},
        )
        if not check.passed:
            ET.SubElement(case, "failure", {"message": check.message}).text = check.message
        ET.SubElement(case, "system-out").text = "\n".join([check.message, *check.details])
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def main(argv: list[str] | None = None, kernel: Callable[[int], str] = run_kernel) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.conformance.gpu_probe", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--junit", type=Path, required=True, help="where to write the JUnit XML")
    parser.add_argument("--platform", help="platform name recorded in the file (default: the host name)")
    args = parser.parse_args(argv)
    checks = probe(kernel)
    machine = machine_name()
    args.junit.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.junit.with_name(f".{args.junit.name}.tmp")
    tmp.write_bytes(junit_xml(checks, machine, args.platform))
    tmp.replace(args.junit)
    for check in checks:
        print(f"gpu_probe: {check.requirement_id}: {'PASS' if check.passed else 'FAIL'}: {check.message}")
    print(
        f"gpu_probe: {machine}: {sum(c.passed for c in checks)}/{len(checks)} passed, JUnit in {args.junit}"
    )
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

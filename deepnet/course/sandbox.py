"""Run untrusted notebook code: one fresh kernel per submission, in its own folder, with limits it
cannot escape, and a per-cell timeout that cannot be swallowed.

    async with Sandbox(folder, limits) as sandbox:
        result = await sandbox.run(source, timeout=30)   # CellRun: outputs, status ("ok", "error", ...)

What the kernel gets:
- its own working folder (the only place it can write) and a scrubbed environment (no variable of
  the instructor's: PATH, a HOME in the folder, the language, one BLAS thread);
- when the grader runs as root: its own user id (so it cannot change the course files, a
  classmate's folder or the verdict, and every process it starts can be found and killed), no
  network (a network namespace of its own; the grader talks to it through Unix sockets), and a
  limit on its number of processes;
- always: limits on memory (address space), CPU time and the size of the files it writes, in a
  process group of its own that is killed at the end.

A cell that runs past its timeout is interrupted; if it does not stop within GRACE seconds (a bare
`except:` in a loop swallows KeyboardInterrupt, code can ignore SIGINT) the kernel is killed and
restarted, the cell is reported as a timeout and the next cells run on (without the earlier state).
A kernel that dies is restarted for the next cell and never waited on again.
"""

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

GRACE = 3.0  # seconds between the interrupt and the kill of a cell that runs past its timeout
STARTUP_TIMEOUT = 60
MAX_OUTPUT_CHARACTERS = 200_000  # per cell: an output flood is cut, not kept in the grader's memory


@dataclass
class Limits:
    """Per-kernel limits: memory in MB (address space), CPU seconds, file size in MB, processes."""

    memory_mb: int = 2048
    cpu_seconds: int = 600
    file_size_mb: int = 64
    processes: int = 64


@dataclass
class CellRun:
    """What one cell did: its outputs (nbformat dicts) and status: "ok", "error", "timeout", "died"."""

    outputs: list = field(default_factory=list)
    status: str = "ok"
    error_name: str = ""
    error_value: str = ""
    truncated: bool = False


class SandboxError(Exception):
    """The grader could not run the kernel at all (it did not start)."""


def running_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def scrubbed_environment(folder):
    """Only what a kernel needs: none of the instructor's variables (tokens, paths, proxies) reach it."""
    return {
        "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": str(folder / ".config" / "matplotlib"),
        "IPYTHONDIR": str(folder / ".ipython"),
        "JUPYTER_RUNTIME_DIR": str(folder / ".jupyter"),
        "XDG_CACHE_HOME": str(folder / ".cache"),
        "TMPDIR": str(folder / "tmp"),
        # One BLAS thread: parallel grading already uses the cores, and a thread pool per kernel
        # costs address space against the memory limit.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 38, 24


def mount(source, target, flags):
    if LIBC.mount(source and os.fsencode(source), os.fsencode(target), None, flags, None) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}")


def limit_process(limits, folder):
    """A preexec function for the kernel: limits; then, as root, a private view of the machine.

    As root the kernel gets a mount namespace in which every file system is read-only but its own
    folder (and /dev, /proc), a network namespace with no network, and no capabilities at all
    (dropped from the bounding set before exec, with no_new_privs), so it cannot undo any of that.
    """

    def apply():
        megabyte = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * megabyte,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * megabyte,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if not running_as_root() or LIBC.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
            return  # no namespaces here: limits only (isolation() says so)
        mount(None, "/", MS_REC | MS_PRIVATE)
        mount(str(folder), str(folder), MS_BIND)  # its own folder: a mount of its own, left writable
        for point in mount_points():
            if point != str(folder) and not point.startswith(KEPT_WRITABLE):
                try:
                    mount(None, point, MS_BIND | MS_REMOUNT | MS_RDONLY)
                except OSError:
                    pass  # a mount that cannot be made read-only (it was already, or is special)
        os.chdir(folder)  # the working folder was entered before its mount: enter it again, through it
        LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        for capability in range(64):
            LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)

    return apply


KEPT_WRITABLE = ("/dev", "/proc", "/sys")


def mount_points():
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        return [line.split()[1].replace("\\040", " ") for line in mounts]


def isolation():
    """How a submission is isolated here, for the report."""
    if running_as_root():
        return "own folder, read-only machine, no network, limits"
    return "own folder, limits (run as root for a read-only machine and no network)"


class Sandbox:
    """One kernel for one submission, in `folder` (created by the caller, holding only its copy)."""

    def __init__(self, folder, limits=None):
        self.folder = Path(folder).resolve()
        self.limits = limits or Limits()
        self.manager = None
        self.client = None
        self.session = None
        self.restarts = 0

    # -- the kernel ---------------------------------------------------------------------------

    async def __aenter__(self):
        for sub in (".config/matplotlib", ".ipython", ".jupyter", ".cache", "tmp", "ipc"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        await self.start()
        return self

    async def start(self):
        from jupyter_client import AsyncKernelManager

        # Unix sockets, not TCP: the kernel has no network, and each start gets sockets of its own.
        sockets = self.folder / "ipc" / f"kernel-{self.restarts}"
        self.manager = AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=str(sockets), connection_file=str(sockets) + ".json"
        )
        try:
            await self.manager.start_kernel(
                cwd=str(self.folder),
                env=scrubbed_environment(self.folder),
                preexec_fn=limit_process(self.limits, self.folder),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.session = os.getpgid(self.manager.provisioner.pid)
            self.client = self.manager.client()
            self.client.start_channels()
            await self.client.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except Exception as error:
            await self.stop()
            raise SandboxError(f"the kernel did not start ({type(error).__name__}: {error})") from None

    async def restart(self):
        """Kill the kernel (and everything it started) and start a new one."""
        self.restarts += 1
        await self.stop()
        await self.start()

    async def stop(self):
        if self.client is not None:
            try:
                self.client.stop_channels()
            except Exception:
                pass
            self.client = None
        if self.manager is not None and self.manager.has_kernel:
            try:
                await self.manager.shutdown_kernel(now=True)
            except Exception:
                pass
        self.kill_leftovers()

    async def __aexit__(self, *exception):
        await self.stop()
        self.kill_leftovers()
        return False

    def kill_leftovers(self):
        """Every process the submission started is killed: its session, and any process that left it
        but still runs in its folder (a background job started with start_new_session)."""
        if self.session is not None:
            try:
                os.killpg(self.session, signal.SIGKILL)
            except OSError:
                pass
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and runs_in(entry, self.folder):
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except OSError:
                    pass

    # -- running one cell ---------------------------------------------------------------------

    async def run(self, source, timeout):
        """Run `source` as one cell; never waits longer than timeout + GRACE (+ a restart)."""
        from nbformat.v4 import output_from_msg

        result = CellRun()
        if self.client is None:
            await self.start()
        message_id = self.client.execute(source, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        interrupted = False
        size = 0
        while True:
            if not await self.manager.is_alive():
                result.status = "died"
                await self.restart()
                return result
            now = time.monotonic()
            if now > deadline and not interrupted:
                await self.manager.interrupt_kernel()
                interrupted, deadline = True, now + GRACE
                result.status = "timeout"
            elif now > deadline:  # the interrupt was swallowed or ignored: kill it
                await self.restart()
                return result
            try:
                message = await self.client.get_iopub_msg(timeout=0.1)
            except Exception:  # queue.Empty: nothing yet
                continue
            if message.get("parent_header", {}).get("msg_id") != message_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                return result
            if kind in ("stream", "display_data", "execute_result", "error"):
                output = output_from_msg(message)
                size += len(str(output))
                if size > MAX_OUTPUT_CHARACTERS:
                    result.truncated = True
                    continue
                if kind == "error" and not interrupted:
                    result.status = "error"
                    result.error_name = content.get("ename", "")
                    result.error_value = content.get("evalue", "")
                if kind == "error" and content.get("ename") == "KeyboardInterrupt" and interrupted:
                    continue  # our own interrupt: reported as the timeout
                result.outputs.append(output)
            elif kind == "clear_output":
                result.outputs = []


def runs_in(proc_entry, folder):
    """True for a process whose working folder is `folder` or inside it."""
    try:
        cwd = os.readlink(proc_entry / "cwd")
    except OSError:
        return False
    return cwd == str(folder) or cwd.startswith(str(folder) + os.sep)


def new_folder(parent, name):
    """A fresh folder for one submission, under a parent the sandbox user can enter but not list."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=parent))
    os.chmod(parent, 0o711)
    return folder


def remove_folder(folder):
    shutil.rmtree(folder, ignore_errors=True)

"""memwatch.py OUT PREFIX: samples, once a second until killed, every running Docker container
whose name starts with PREFIX, straight from its cgroup (v1 or v2), and rewrites OUT (JSON) with
each container's peak memory and CPU seconds so far:

  peak_mib  the largest working set seen: memory in use minus inactive file cache (what
            docker stats shows and what Kubernetes counts against a limit)
  cpu_s     CPU time used by the container's processes

Used by make docker-check (scripts/docker-check.sh)."""
import glob
import json
import os
import subprocess
import sys
import time

out, prefix = sys.argv[1], sys.argv[2]


def cgroup_files(cid):
    v1 = glob.glob(f"/sys/fs/cgroup/memory/docker/{cid}*")
    if v1:
        cpu = glob.glob(f"/sys/fs/cgroup/cpuacct/docker/{cid}*") or glob.glob(f"/sys/fs/cgroup/cpu,cpuacct/docker/{cid}*")
        return ("v1", v1[0], cpu[0] if cpu else None)
    v2 = glob.glob(f"/sys/fs/cgroup/system.slice/docker-{cid}*.scope") or glob.glob(f"/sys/fs/cgroup/docker/{cid}*")
    return ("v2", v2[0], v2[0]) if v2 else None


def read_stat(path):
    stat = {}
    with open(path) as f:
        for line in f:
            k, v = line.split()
            stat[k] = int(v)
    return stat


def sample(kind, mem, cpu):
    if kind == "v1":
        usage = int(open(os.path.join(mem, "memory.usage_in_bytes")).read())
        inactive = read_stat(os.path.join(mem, "memory.stat")).get("total_inactive_file", 0)
        cpu_s = int(open(os.path.join(cpu, "cpuacct.usage")).read()) / 1e9 if cpu else 0.0
    else:
        usage = int(open(os.path.join(mem, "memory.current")).read())
        inactive = read_stat(os.path.join(mem, "memory.stat")).get("inactive_file", 0)
        cpu_s = read_stat(os.path.join(cpu, "cpu.stat")).get("usage_usec", 0) / 1e6
    return max(usage - inactive, 0), cpu_s


peaks = {}
while True:
    try:
        lines = subprocess.run(["docker", "ps", "--no-trunc", "--format", "{{.ID}} {{.Names}}"],
                               capture_output=True, text=True, timeout=30).stdout.split("\n")
    except subprocess.TimeoutExpired:
        lines = []
    for line in filter(None, lines):
        cid, name = line.split(" ", 1)
        if not name.startswith(prefix):
            continue
        files = cgroup_files(cid)
        if not files:
            continue
        try:
            ws, cpu_s = sample(*files)
        except (OSError, ValueError):
            continue
        p = peaks.setdefault(name, {"peak_mib": 0.0, "cpu_s": 0.0})
        p["peak_mib"] = max(p["peak_mib"], round(ws / 2**20, 1))
        p["cpu_s"] = max(p["cpu_s"], round(cpu_s, 1))
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(peaks, f, indent=1)
    os.replace(tmp, out)
    time.sleep(1)

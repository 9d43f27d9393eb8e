"""What the benchmark scripts share: one fresh process per measurement, load, a table.

Each measurement runs in its own interpreter (``python <script> --worker ...``) so that no
variant inherits another's allocator state, thread pools or warm caches; the worker prints
one JSON line, which :func:`run_worker` returns as a dict.

On a shared machine other processes distort the times, and with several torch (OpenMP)
threads per process they distort them out of all proportion: a thread that loses its core
holds up the others at every parallel region. So for every run the parent records the load
average at the start and, from ``/proc/stat``, how many cores other processes kept busy
on average while it ran ("others"). :func:`run_clean` re-runs a measurement that others
disturbed.
"""

import json
import os
import resource
import subprocess
import sys
import time

# Variables that change how torch, OpenMP or glibc behave. The benchmarks measure the
# defaults a user gets, so workers start without them (the parent warns if they are set).
TUNING_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "LD_PRELOAD",
    "MALLOC_ARENA_MAX",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "GLIBC_TUNABLES",
)


def clean_environment(extra=None):
    """The parent's environment without tuning variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in TUNING_VARIABLES}
    env.update(extra or {})
    return env


def warn_tuning_variables():
    found = [name for name in TUNING_VARIABLES if name in os.environ]
    if found:
        print(f"note: workers run without {', '.join(found)} (set in this shell)\n")


def busy_cpu_seconds():
    """CPU seconds the whole machine has spent busy since boot (Linux), else None."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait; the rest includes steal (the hypervisor's)
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_worker(script, args, timeout=900, env=None):
    """Run ``python script --worker args...``; return its JSON result plus load, wall time
    and ``others``: the cores other processes kept busy on average while it ran."""
    load = os.getloadavg()[0]
    busy, children = busy_cpu_seconds(), _children_cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, script, "--worker", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_environment(env),
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    others = float("nan")
    if busy is not None:
        mine = _children_cpu_seconds() - children
        others = max(0.0, busy_cpu_seconds() - busy - mine) / wall
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(load=load, wall=wall, others=others)
    return result


def run_clean(script, args, max_others=0.3, retries=2, **kwargs):
    """:func:`run_worker`, re-run up to `retries` times while other processes used more
    than `max_others` cores on average; the result says how many runs it took."""
    for attempt in range(retries + 1):
        result = run_worker(script, args, **kwargs)
        if not result["others"] > max_others:
            break
        if attempt < retries:
            print(
                f"    (discarded: other processes used {result['others']:.2f} cores during "
                f"the run; running it again)",
                flush=True,
            )
            time.sleep(5)
    result["runs"] = attempt + 1
    return result


def run_rounds(script, variants, repeats, worker_args, describe, **kwargs):
    """Every variant once per round, each in a fresh process (:func:`run_clean`), the order
    rotated from round to round so that no variant always runs first; a line per run.
    Returns ``{variant: [result, ...]}``."""
    results = {variant: [] for variant in variants}
    for r in range(repeats):
        shift = r % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            res = run_clean(script, worker_args(variant), **kwargs)
            results[variant].append(res)
            print(
                f"  round {r + 1} {variant:<15} {describe(res)}  load {res['load']:.2f}  "
                f"others {res['others']:.2f} cores",
                flush=True,
            )
    return results


def contamination_note(results, max_others=0.3):
    """A closing line on how disturbed the runs in ``{variant: [result, ...]}`` were."""
    runs = [r for rs in results.values() for r in rs]
    bad = [r for r in runs if r["others"] > max_others]
    extra = sum(r.get("runs", 1) - 1 for r in runs)
    worst = max(r["others"] for r in runs)
    text = (
        f"\nnoise: other processes used up to {worst:.2f} cores during a run; "
        f"{extra} disturbed runs were discarded and repeated"
    )
    if bad:
        text += (
            f"; {len(bad)} kept runs still had other processes using more than "
            f"{max_others} cores (times inflated; re-run on a quiet machine to quote them)"
        )
    return text + "."


def emit(result):
    """Worker side: print the result as the last line of stdout."""
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result), flush=True)


def peak_rss_mb():
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Usage:
    """Wall time, CPU time and minor page faults of a block (this process only)."""

    def __enter__(self):
        self._start = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        return self

    def __exit__(self, *exc):
        wall, before = self._start
        after = resource.getrusage(resource.RUSAGE_SELF)
        self.seconds = time.perf_counter() - wall
        self.user = after.ru_utime - before.ru_utime
        self.system = after.ru_stime - before.ru_stime
        self.minor_faults = after.ru_minflt - before.ru_minflt
        return False


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])


def machine_description():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import platform

    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{os.cpu_count()} cores ({cpu}), {gpu}; Python {platform.python_version()}, "
        f"torch {torch.__version__}, {platform.system()} {platform.release()}"
    )


def format_table(header, rows):
    """Plain-text table with right-aligned numeric columns."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for k, row in enumerate(cells):
        rest = zip(row[1:], widths[1:], strict=True)
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in rest]
        lines.append("  ".join(parts))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)

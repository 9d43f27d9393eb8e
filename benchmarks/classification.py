"""Sequence classification on the UCR/UEA archive: skrnn's default classifiers beside the
archive's baselines, on the official train/test splits.

Methods, all in one run and on the same data:

LSTMClassifier  skrnn at default parameters (``random_state=seed`` only), one fit per seed:
GRUClassifier   mean and min test accuracy over the seeds, fit seconds, ``best_epoch_`` of
                every fit (0: the untrained network was kept), warnings raised during fit
1NN-ED          1-nearest neighbour, Euclidean distance (numpy; ties go to the first
                training series)
1NN-DTW         aeon's KNeighborsTimeSeriesClassifier(distance="dtw"), full window
ROCKET          aeon's RocketClassifier, 10,000 kernels (its default), random_state=0

Data: the copies of the archive bundled with sktime and aeon (no download), read from their
``<Name>_TRAIN.ts`` / ``<Name>_TEST.ts`` files; labels as given (strings). skrnn gets
``(n_samples, n_timesteps, n_features)`` floats; shorter series are front-padded with NaN to
the longest series of the data set (train and test), which the networks skip. Unequal
lengths (JapaneseVowels: 7 to 29 steps) for the baselines follow the archive: for 1NN-ED
and ROCKET every series is padded with zeros at its end to the longest length (the UEA
archive's equal-length release, whose published 1NN-ED figure this reproduces); 1NN-DTW
aligns the series at their own lengths (DTW needs no padding; on the zero-padded copies it
classifies JapaneseVowels identically). The training rows keep the files' order, as a
user would pass them; some files are sorted by class (BasicMotions, JapaneseVowels, ACSF1).

The gates, on the four data sets (skrnn = mean accuracy over the seeds, per classifier):
(1) skrnn >= 1NN-DTW on each; (2) skrnn's mean over the four within 0.03 of ROCKET's;
(3) no fit kept the untrained network (best_epoch_ == 0); (4) no fit took over 120 s.
(3) and (4) count every fit run, held-out data sets included.

    python benchmarks/classification.py                  # the four data sets, seeds 0 1 2
    python benchmarks/classification.py --quick          # one seed, the four data sets
    python benchmarks/classification.py --heldout        # + OSULeaf, ArrowHead, ACSF1
    python benchmarks/classification.py --datasets PLAID --seeds 0
    python benchmarks/classification.py --list           # the bundled data sets and sizes
    python benchmarks/classification.py --csv out.csv    # also write the results

Needs aeon (``pip install -e '.[bench]'``, or ``make venv-extras`` and run it with
``.venv-extras/bin/python``); sktime, when installed, adds its bundled copies (PLAID).
Every fit runs in a fresh process on one torch thread (``--threads``); a skrnn fit still
running after ``--timeout`` seconds (240) is stopped, counted as over the limit, and that
classifier's remaining seeds on that data set are skipped. The tables go to stdout,
progress to stderr.
"""

import argparse
import contextlib
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import _harness
import numpy as np

HERE = os.path.abspath(__file__)
CORE = ("ItalyPowerDemand", "GunPoint", "BasicMotions", "JapaneseVowels")
HELDOUT = ("OSULeaf", "ArrowHead", "ACSF1")
SKRNN = ("LSTMClassifier", "GRUClassifier")
BASELINES = ("1NN-ED", "1NN-DTW", "ROCKET")
SHORT = {"LSTMClassifier": "LSTM", "GRUClassifier": "GRU"}
# Test accuracy published for the archive's baselines (1NN-DTW: full window; ROCKET: about).
PUBLISHED = {
    "ItalyPowerDemand": {"1NN-ED": 0.955, "1NN-DTW": 0.950, "ROCKET": 0.970},
    "GunPoint": {"1NN-ED": 0.913, "1NN-DTW": 0.907, "ROCKET": 1.000},
    "BasicMotions": {"1NN-ED": 0.600, "1NN-DTW": 0.975, "ROCKET": 1.000},
    "JapaneseVowels": {"1NN-ED": 0.916, "1NN-DTW": 0.949, "ROCKET": 0.970},
}
TOLERANCE = {"1NN-ED": 0.001, "1NN-DTW": 0.001, "ROCKET": 0.02}  # ROCKET's kernels are random
MAX_FIT_SECONDS, ROCKET_MARGIN = 120.0, 0.03
CSV_COLUMNS = [
    "dataset",
    "method",
    "seed",
    "accuracy",
    "fit_seconds",
    "best_epoch",
    "predict_seconds",
]


# -- data --------------------------------------------------------------------------------
def data_dirs():
    """The folders of .ts files bundled with sktime and aeon (without importing either)."""
    dirs = []
    for package in ("sktime", "aeon"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            folder = Path(spec.origin).parent / "datasets" / "data"
            if folder.is_dir():
                dirs.append(folder)
    return dirs


def _header(path):
    """The lower-cased ``@key value`` lines of a .ts file, up to ``@data``."""
    header = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.lower().startswith("@data"):
                break
            if line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                header.setdefault(key.lower(), value.strip().lower())
    return header


def bundled():
    """``{name: (train file, test file)}`` of the bundled classification problems.

    Skipped: regression problems (``@targetLabel``), files with time stamps, and the
    ``_eq`` copies (unequal-length problems resampled to one length)."""
    found = {}
    for folder in data_dirs():
        for train in sorted(folder.glob("*/*_TRAIN.ts")):
            name = train.name.removesuffix("_TRAIN.ts")
            test = train.with_name(f"{name}_TEST.ts")
            if name in found or name.endswith("_eq") or not test.exists():
                continue
            header = _header(train)
            if header.get("classlabel", "").startswith("true") and not header.get(
                "timestamps", "false"
            ).startswith("true"):
                found[name] = (train, test)
    return found


def load(name):
    """``(train series, train labels, test series, test labels)``; each series a float
    array of shape (n_timesteps, n_features)."""
    from aeon.datasets import load_from_ts_file

    files = bundled()
    if name not in files:
        raise SystemExit(
            f"{name!r} is not bundled with sktime/aeon here; bundled: {', '.join(sorted(files))}"
        )
    out = []
    for path in files[name]:
        X, y = load_from_ts_file(str(path))  # (n, dims, length) array or list of (dims, len)
        out += [[np.asarray(x, dtype=np.float64).T for x in X], np.asarray(y).astype(str)]
    return tuple(out)


def sizes(train, y_train, test):
    lengths = [len(s) for s in train + test]
    low, high = min(lengths), max(lengths)
    return {
        "train": len(train),
        "test": len(test),
        "length": str(high) if low == high else f"{low}-{high}",
        "dims": train[0].shape[1],
        "classes": len(np.unique(y_train)),
    }


def pad(series, length, *, front, value):
    """Stack series of shape (t, d) into (n, length, d), padding with `value` at the front
    (skrnn: NaN, which the networks skip) or at the end (the archive's zeros)."""
    out = np.full((len(series), length, series[0].shape[1]), value, dtype=np.float64)
    for i, s in enumerate(series):
        if front:
            out[i, length - len(s) :] = s
        else:
            out[i, : len(s)] = s
    return out


def longest(*collections):
    return max(len(s) for c in collections for s in c)


# -- workers (one fresh process per measurement) -----------------------------------------
def worker_skrnn(estimator, name, seed, threads):
    import torch

    import skrnn

    torch.set_num_threads(threads)
    train, y_train, test, y_test = load(name)
    length = longest(train, test)
    X_train = pad(train, length, front=True, value=np.nan)
    X_test = pad(test, length, front=True, value=np.nan)
    model = getattr(skrnn, estimator)(random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    y_pred = model.predict(X_test)
    predict_seconds = time.perf_counter() - start
    best = getattr(model, "best_epoch_", None)
    _harness.emit(
        {
            "accuracy": float(np.mean(y_pred == y_test)),
            "fit_seconds": fit_seconds,
            "predict_seconds": predict_seconds,
            "best_epoch": None if best is None else int(best),
            "n_iter": int(getattr(model, "n_iter_", -1)),
            "skrnn_dir": os.path.dirname(skrnn.__file__),
            "warnings": len(caught),
            "first_warning": (
                f"{caught[0].category.__name__}: {caught[0].message}" if caught else ""
            ),
        }
    )


def nearest_neighbour_euclidean(X_train, y_train, X_test):
    """1-NN with the Euclidean distance on equal-length (n, t, d) arrays, in chunks."""
    per_row = X_train[0].size * len(X_train)
    chunk = max(1, 20_000_000 // per_row)
    nearest = np.empty(len(X_test), dtype=np.intp)
    for start in range(0, len(X_test), chunk):
        diff = X_test[start : start + chunk, None] - X_train[None]
        nearest[start : start + chunk] = np.einsum("abtd,abtd->ab", diff, diff).argmin(axis=1)
    return y_train[nearest]


def worker_baseline(method, name):
    train, y_train, test, y_test = load(name)
    length = longest(train, test)
    equal = all(len(s) == length for s in train + test)
    fit_seconds = 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if method == "1NN-ED":
            X_train = pad(train, length, front=False, value=0.0)
            start = time.perf_counter()
            y_pred = nearest_neighbour_euclidean(
                X_train, y_train, pad(test, length, front=False, value=0.0)
            )
        else:
            if method == "1NN-DTW":
                from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

                model = KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1, n_jobs=1)
            else:
                from aeon.classification.convolution_based import RocketClassifier

                model = RocketClassifier(random_state=0, n_jobs=1)
            if method == "1NN-DTW" and not equal:  # aeon: a list of (dims, length) arrays
                X_train, X_test = [s.T for s in train], [s.T for s in test]
            else:  # aeon: (n, dims, length)
                X_train = pad(train, length, front=False, value=0.0).transpose(0, 2, 1)
                X_test = pad(test, length, front=False, value=0.0).transpose(0, 2, 1)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            y_pred = model.predict(X_test)
        predict_seconds = time.perf_counter() - start
    _harness.emit(
        {
            "accuracy": float(np.mean(np.asarray(y_pred).astype(str) == y_test)),
            "fit_seconds": fit_seconds,
            "predict_seconds": predict_seconds,
            "best_epoch": None,
            "warnings": len(caught),
            "first_warning": str(caught[0].message).strip()[:200] if caught else "",
        }
    )


# -- the parent --------------------------------------------------------------------------
def list_datasets():
    rows = []
    for name, (train_file, _) in sorted(bundled().items(), key=lambda kv: kv[0].lower()):
        train, y_train, test, _ = load(name)
        info = sizes(train, y_train, test)
        tag = "the four" if name in CORE else "held-out" if name in HELDOUT else ""
        rows.append([name, *info.values(), tag, train_file.parents[3].name])
    header = ["dataset", "train", "test", "length", "dims", "classes", "role", "read from"]
    print(_harness.format_table(header, rows))


def versions():
    from importlib import metadata

    out = []
    for package in ("skrnn", "skorch", "scikit-learn", "numpy", "aeon", "sktime", "numba"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out.append(f"{package} {metadata.version(package)}")
    return ", ".join(out)


def sources_digest(folder):
    """sha1 of the .py files under `folder` (names and contents), 12 hex digits."""
    digest = hashlib.sha1()
    for path in sorted(Path(folder).rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot_skrnn(folder):
    """Copy the skrnn package that would be imported into `folder`; the workers import
    this copy (PYTHONPATH), so that edits made to the tree during a run do not mix
    versions. Returns (the source folder, the copy's sha1, a description)."""
    source = Path(importlib.util.find_spec("skrnn").origin).parent
    shutil.copytree(source, Path(folder) / "skrnn", ignore=shutil.ignore_patterns("__pycache__"))
    digest = sources_digest(Path(folder) / "skrnn")
    text = f"sources copied from {source} at the start, sha1 of skrnn/**/*.py {digest}"
    try:
        root = source.parent
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", source.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return source, digest, text
    changed = [line[3:] for line in changed if line.strip()]
    state = "unchanged" if not changed else f"uncommitted changes in {', '.join(changed)}"
    return source, digest, f"{text}; git commit {head}, {state}"


def run(args, task, timeout):
    """One worker; a dict with ``error`` instead of raising when it fails or times out."""
    try:
        return _harness.run_worker(HERE, task, timeout=timeout, env=args.worker_env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "timed_out": True}
    except RuntimeError as exc:
        return {"error": str(exc).strip().splitlines()[-1][:300]}


def progress(text):
    print(text, file=sys.stderr, flush=True)


def measure(args, datasets):
    """``{dataset: {"sizes": ..., method: [result, ...]}}``; skrnn: one result per seed."""
    results = {}
    for name in datasets:
        train, y_train, test, _ = load(name)
        entry = results[name] = {"sizes": sizes(train, y_train, test)}
        progress(f"{name}: {entry['sizes']}")
        for method in BASELINES:
            res = entry[method] = [run(args, ["baseline", method, name], args.baseline_timeout)]
            progress(f"  {method:<15} {_describe(res[0])}")
        for estimator in args.estimators:
            entry[estimator] = []
            for seed in args.seeds:
                task = ["skrnn", estimator, name, seed, args.threads]
                res = run(args, task, args.timeout)
                res["seed"] = seed
                entry[estimator].append(res)
                progress(f"  {estimator:<15} seed {seed}  {_describe(res)}")
                if res.get("timed_out"):
                    progress(f"  {estimator}: a fit took over {args.timeout:.0f} s; no more seeds")
                    break
    return results


def _describe(res):
    if "error" in res:
        return f"ERROR {res['error']}"
    text = (
        f"accuracy {res['accuracy']:.3f}  fit {res['fit_seconds']:.1f} s  "
        f"predict {res['predict_seconds']:.1f} s"
    )
    if res.get("best_epoch") is not None:
        text += f"  best_epoch_ {res['best_epoch']} of {res['n_iter']}"
    if res.get("warnings"):
        text += f"  {res['warnings']} warning(s)"
    return text + f"  (others {res['others']:.2f} cores)"


def _ok(results):
    return [r for r in results if "error" not in r]


def _accuracy(results, how=np.mean):
    ok = _ok(results)
    return float(how([r["accuracy"] for r in ok])) if ok and len(ok) == len(results) else np.nan


def _acc(value):
    return "-" if np.isnan(value) else f"{value:.3f}"


def _secs(value):
    return "-" if value is None or np.isnan(value) else f"{value:.1f}"


def accuracy_table(results, estimators):
    header = ["dataset", "train", "test", "length", "dims", "classes"]
    for est in estimators:
        header += [f"{SHORT[est]} mean", f"{SHORT[est]} min"]
    header += list(BASELINES)
    rows = []
    for name, entry in results.items():
        row = [name, *entry["sizes"].values()]
        for est in estimators:
            row += [_acc(_accuracy(entry[est])), _acc(_accuracy(entry[est], np.min))]
        row += [_acc(_accuracy(entry[m])) for m in BASELINES]
        rows.append(row)
    return _harness.format_table(header, rows)


def seconds_table(results, estimators):
    header = ["dataset"]
    for est in estimators:
        header += [f"{SHORT[est]} fit s", f"{SHORT[est]} max s"]
    header += ["ROCKET fit s", "1NN-ED pred s", "1NN-DTW pred s"]
    header += [f"{SHORT[est]} best_epoch_" for est in estimators]
    header += ["warnings " + "/".join(SHORT[est] for est in estimators)]
    rows = []
    for name, entry in results.items():
        row = [name]
        for est in estimators:
            fits = [r["fit_seconds"] for r in _ok(entry[est])]
            row += [_secs(np.mean(fits) if fits else np.nan), _secs(max(fits, default=np.nan))]
        rocket, ed, dtw = (_ok(entry[m]) for m in ("ROCKET", "1NN-ED", "1NN-DTW"))
        row += [
            _secs(rocket[0]["fit_seconds"] if rocket else np.nan),
            _secs(ed[0]["predict_seconds"] if ed else np.nan),
            _secs(dtw[0]["predict_seconds"] if dtw else np.nan),
        ]
        for est in estimators:
            row.append("/".join(_best(r) for r in entry[est]))
        counts = [sum(r.get("warnings", 0) for r in _ok(entry[est])) for est in estimators]
        rows.append([*row, "/".join(map(str, counts))])
    return _harness.format_table(header, rows)


def _best(res):
    if res.get("timed_out"):
        return "timeout"
    if "error" in res:
        return "error"
    return "?" if res["best_epoch"] is None else str(res["best_epoch"])


def published_check(results):
    lines, mismatches = [], []
    for name, entry in results.items():
        if name not in PUBLISHED:
            continue
        parts = []
        for method, published in PUBLISHED[name].items():
            ours = _accuracy(entry[method])
            ok = abs(ours - published) <= TOLERANCE[method] + 1e-9
            if not ok:
                mismatches.append(f"{name} {method}")
            parts.append(f"{method} {_acc(ours)} / {published:.3f} {'ok' if ok else 'DIFFERS'}")
        lines.append(f"  {name:<17} " + "   ".join(parts))
    if not lines:
        return ""
    verdict = "all match" if not mismatches else f"differ: {', '.join(mismatches)}"
    head = (
        "published baselines, ours / published (1NN-ED and 1NN-DTW within 0.001, "
        f"ROCKET within {TOLERANCE['ROCKET']}): {verdict}"
    )
    return "\n".join([head, *lines])


def gates(results, estimators):
    lines, verdicts = [], []
    core = [name for name in CORE if name in results]
    mark = {True: "PASS", False: "FAIL"}
    if core:
        lines.append(f"(1) skrnn mean accuracy >= 1NN-DTW on each of {', '.join(core)}")
        for est in estimators:
            parts, passed = [], True
            for name in core:
                ours, dtw = _accuracy(results[name][est]), _accuracy(results[name]["1NN-DTW"])
                ok = bool(ours >= dtw)
                passed &= ok
                parts.append(f"{name} {_acc(ours)} vs {_acc(dtw)}{'' if ok else ' x'}")
            lines.append(f"    {mark[passed]}  {est}: {'; '.join(parts)}")
            verdicts.append(passed)
    if len(core) == len(CORE):
        rocket = np.mean([_accuracy(results[name]["ROCKET"]) for name in CORE])
        lines.append(
            f"(2) mean over the four within {ROCKET_MARGIN} of ROCKET's ({_acc(rocket)}, "
            f"so >= {rocket - ROCKET_MARGIN:.3f})"
        )
        for est in estimators:
            ours = np.mean([_accuracy(results[name][est]) for name in CORE])
            ok = bool(ours >= rocket - ROCKET_MARGIN)
            lines.append(f"    {mark[ok]}  {est}: {_acc(ours)} ({ours - rocket:+.3f})")
            verdicts.append(ok)
    else:
        lines.append("(2) mean over the four vs ROCKET: not judged (needs all four data sets)")

    lines.append("(3) no fit kept the untrained network (best_epoch_ == 0), every fit run")
    for est in estimators:
        fits = [(name, r) for name, entry in results.items() for r in _ok(entry[est])]
        zero = [f"{name} seed {r['seed']}" for name, r in fits if r["best_epoch"] == 0]
        in_core = sum(name in CORE for name, _ in fits)
        zero_core = sum(z.split()[0] in CORE for z in zero)
        text = f"{len(zero)} of {len(fits)} fits"
        if in_core != len(fits):
            text += f" ({zero_core} of {in_core} on the four)"
        lines.append(f"    {mark[not zero]}  {est}: {text}{': ' if zero else ''}{', '.join(zero)}")
        verdicts.append(not zero)

    lines.append(f"(4) no fit over {MAX_FIT_SECONDS:.0f} s, every fit run")
    for est in estimators:
        fits = [(name, r) for name, entry in results.items() for r in entry[est]]
        slow = [
            f"{name} seed {r['seed']}"
            for name, r in fits
            if r.get("timed_out") or r.get("fit_seconds", 0) > MAX_FIT_SECONDS
        ]
        secs = [(r["fit_seconds"], name, r["seed"]) for name, r in fits if "fit_seconds" in r]
        worst = max(secs, default=None)
        text = f"slowest {worst[0]:.1f} s ({worst[1]} seed {worst[2]})" if worst else "no fit"
        if slow:
            text += f"; over the limit: {', '.join(slow)}"
        lines.append(f"    {mark[not slow]}  {est}: {text}")
        verdicts.append(not slow)
    errors = [
        f"{name} {method}: {r['error']}"
        for name, entry in results.items()
        for method, rs in entry.items()
        if method != "sizes"
        for r in rs
        if "error" in r and not r.get("timed_out")
    ]
    if errors:
        lines.append("errors (count as failures): " + "; ".join(errors))
        verdicts.append(False)
    overall = "PASS" if all(verdicts) else "FAIL"
    return f"gates: {overall}\n" + "\n".join(lines)


def warnings_summary(results, estimators):
    lines = []
    for est in estimators:
        caught = [r for entry in results.values() for r in _ok(entry[est]) if r["warnings"]]
        if caught:
            total = sum(r["warnings"] for r in caught)
            lines.append(
                f"  {est}: {total} warning(s) in {len(caught)} fit(s); first: "
                f"{caught[0]['first_warning'][:300]}"
            )
        else:
            lines.append(f"  {est}: no warnings during fit")
    return "warnings raised during skrnn fits\n" + "\n".join(lines)


def noise_note(results):
    runs = [
        r
        for entry in results.values()
        for method, rs in entry.items()
        if method != "sizes"
        for r in rs
        if "others" in r
    ]
    if not runs:
        return ""
    worst = max(r["others"] for r in runs)
    busy = sum(r["others"] > 0.3 for r in runs)
    text = f"noise: other processes kept up to {worst:.2f} cores busy during a run"
    if busy:
        text += f"; {busy} of {len(runs)} runs had more than 0.3 cores taken (times inflated)"
    return text + "."


def write_csv(path, results, estimators):
    import csv

    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(CSV_COLUMNS)
        for name, entry in results.items():
            for method in (*estimators, *BASELINES):
                rs = entry[method]
                for r in rs if method in estimators else []:
                    out.writerow(
                        [
                            name,
                            method,
                            r["seed"],
                            _num(r.get("accuracy")),
                            _num(r.get("fit_seconds")),
                            "" if r.get("best_epoch") is None else r["best_epoch"],
                            _num(r.get("predict_seconds")),
                        ]
                    )
                ok = _ok(rs)
                fits = [r["fit_seconds"] for r in ok]
                preds = [r["predict_seconds"] for r in ok]
                out.writerow(
                    [
                        name,
                        method,
                        "mean",
                        _num(_accuracy(rs)),
                        _num(np.mean(fits) if fits else np.nan),
                        "",
                        _num(np.mean(preds) if preds else np.nan),
                    ]
                )


def _num(value):
    return "" if value is None or np.isnan(value) else f"{value:.6g}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--datasets", nargs="+", help=f"instead of {' '.join(CORE)}")
    parser.add_argument("--heldout", action="store_true", help=f"add {', '.join(HELDOUT)}")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="seed 0, the four data sets")
    parser.add_argument("--estimators", nargs="+", choices=SKRNN, default=list(SKRNN))
    parser.add_argument("--threads", type=int, default=1, help="torch threads per fit (1)")
    parser.add_argument("--csv", help="write dataset, method, seed, accuracy, ... here")
    parser.add_argument("--list", action="store_true", help="list the bundled data sets")
    parser.add_argument(
        "--timeout", type=float, default=240, help="stop a skrnn fit after this (240 s)"
    )
    parser.add_argument("--baseline-timeout", type=float, default=900, help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        if kind == "skrnn":
            estimator, name, seed, threads = rest
            worker_skrnn(estimator, name, int(seed), int(threads))
        else:
            worker_baseline(*rest)
        return 0
    if importlib.util.find_spec("aeon") is None:
        parser.error(
            "needs aeon: pip install -e '.[bench]', or run it with .venv-extras/bin/python"
        )
    if args.list:
        list_datasets()
        return 0
    if args.quick:
        args.seeds, args.datasets, args.heldout = [0], None, False
    datasets = list(args.datasets or CORE)
    if args.heldout:
        datasets += [name for name in HELDOUT if name not in datasets]
    known = bundled()
    unknown = [name for name in datasets if name not in known]
    if unknown:
        parser.error(f"not bundled here: {', '.join(unknown)} (see --list)")

    _harness.warn_tuning_variables()
    start, load_avg = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="skrnn-bench-") as folder:
        source, digest, provenance = snapshot_skrnn(folder)
        paths = [folder, os.environ.get("PYTHONPATH", "")]
        args.worker_env = {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}
        results = measure(args, datasets)
    wall = time.perf_counter() - start
    strays = sorted(
        {
            r["skrnn_dir"]
            for entry in results.values()
            for est in args.estimators
            for r in entry[est]
            if "skrnn_dir" in r and not r["skrnn_dir"].startswith(folder)
        }
    )
    if strays:
        provenance += f"; WARNING: some fits imported skrnn from {', '.join(strays)}"
    now = sources_digest(source)
    if now != digest:
        provenance += f" (the tree changed during the run: sha1 {now} at the end)"

    print(f"# python benchmarks/classification.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')}, {_harness.machine_description()}")
    print(f"# {versions()}")
    print(f"# skrnn: {provenance}")
    print(
        f"# seeds {' '.join(map(str, args.seeds))}; {args.threads} torch thread(s) per fit, "
        f"each fit in a fresh process; load average {load_avg:.2f} at the start; "
        f"wall time {wall / 60:.1f} min"
    )
    print("\ntest accuracy (official split; skrnn: mean and min over the seeds)")
    print(accuracy_table(results, args.estimators))
    print("\nseconds (skrnn: mean and max fit over the seeds) and best_epoch_ per seed")
    print(seconds_table(results, args.estimators))
    print()
    print(gates(results, args.estimators))
    print()
    print(warnings_summary(results, args.estimators))
    check = published_check(results)
    if check:
        print()
        print(check)
    note = noise_note(results)
    if note:
        print()
        print(note)
    if args.csv:
        write_csv(args.csv, results, args.estimators)
        print(f"\nwrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

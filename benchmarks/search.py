"""GridSearchCV over a recurrent pipeline: one process, two local workers, a dask cluster.

The search: ``make_pipeline(StandardScaler(), SlidingWindow(window=20), GRURegressor(...))``
on a 3,000-row AR(2) series with a season, 15 epochs per fit, 4 candidates (hidden size x
learning rate) x 3 ``TimeSeriesSplit`` folds, scored by mean absolute error, then the refit
of the best one.

Variants (each run in a fresh process, interleaved over ``--repeats`` rounds):

n_jobs=1        the search in the calling process, torch's default threads
n_jobs=2        joblib's default (loky) backend: two worker processes. joblib caps the
                threads of OpenMP/BLAS in its workers at cores // n_jobs, so torch runs 1
                thread per worker on 2 cores and nothing is oversubscribed
n_jobs=2 x2thr  the same with ``parallel_config(inner_max_num_threads=2)``: two torch threads
                per worker, 4 threads on 2 cores, to show what the cap avoids (about 5x
                slower than n_jobs=1, so only run when asked for)
dask            ``joblib.parallel_backend("dask")`` on a ``dask.distributed.LocalCluster`` of
                2 single-threaded worker processes on loopback (needs ``pip install
                skrnn[dask]``); cluster start-up is not timed

The table gives min and median seconds, the speed-up over n_jobs=1 (target: >= 1.25x for
n_jobs=2 on 2 cores), the torch threads each worker used, and whether the best parameters
and every candidate's mean score equal those of n_jobs=1. Persistence and ridge on lags
are scored on the same folds for reference.

Usage::

    python benchmarks/search.py                       # ~6 minutes on 2 cores
    python benchmarks/search.py --variants n_jobs=1 "n_jobs=2 x2thr" --repeats 1
"""

import argparse
import os
import sys
import warnings

import _harness
import numpy as np

HERE = os.path.abspath(__file__)
VARIANTS = ["n_jobs=1", "n_jobs=2", "n_jobs=2 x2thr", "dask"]
DEFAULT_VARIANTS = ["n_jobs=1", "n_jobs=2", "dask"]
GRID = {"gruregressor__hidden_size": [8, 16], "gruregressor__lr": [1e-3, 3e-3]}
N_ROWS, WINDOW = 3000, 20


def make_data(n_rows=N_ROWS, seed=0):
    """X rows (value, season) and y = the next value of an AR(2) series with a season."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    season = np.sin(2 * np.pi * np.arange(n_rows + 1) / 25)
    value = lfilter([1.0], [1.0, -0.5, 0.3], rng.standard_normal(n_rows + 1)) + 2 * season
    data = np.column_stack([value, season])
    return data[:-1], value[1:]


def make_search(n_jobs):
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skrnn import GRURegressor, SlidingWindow

    pipe = make_pipeline(
        StandardScaler(),
        SlidingWindow(window=WINDOW),
        # A fixed 15 epochs per fit (no early stopping): the same work whatever the data,
        # so the comparison measures parallelism rather than when training stops.
        GRURegressor(max_epochs=15, batch_size=64, early_stopping=False, random_state=0),
    )
    return GridSearchCV(
        pipe, GRID, cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error", n_jobs=n_jobs
    )


def _worker_threads():
    import torch

    return torch.get_num_threads()


def worker(variant):
    import time

    import joblib

    warnings.simplefilter("ignore")
    X, y = make_data()
    cluster = client = None
    if variant == "dask":
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    n_jobs = 1 if variant == "n_jobs=1" else 2
    config = {"backend": "dask"} if variant == "dask" else {}
    if variant == "n_jobs=2 x2thr":
        config.update(backend="loky", inner_max_num_threads=2)
    try:
        with joblib.parallel_config(**config):
            search = make_search(n_jobs)
            start = time.perf_counter()
            search.fit(X, y)
            seconds = time.perf_counter() - start
            if variant == "dask":
                threads = sorted(client.run(_worker_threads).values())
            elif n_jobs == 1:
                threads = [_worker_threads()]
            else:  # the same loky workers, still running
                threads = sorted(
                    joblib.Parallel(n_jobs=n_jobs)(
                        joblib.delayed(_worker_threads)() for _ in range(2 * n_jobs)
                    )
                )
    finally:
        if client is not None:
            client.close()
            cluster.close()
    _harness.emit(
        {
            "variant": variant,
            "seconds": seconds,
            "threads": sorted(set(threads)),
            "best_params": search.best_params_,
            "scores": search.cv_results_["mean_test_score"].tolist(),
            "fit_times": (search.cv_results_["mean_fit_time"] * 3).tolist(),
            "refit_s": search.refit_time_,
        }
    )


def baselines():
    """Mean absolute error of persistence and ridge on lags over the same folds."""
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score
    from sklearn.pipeline import make_pipeline

    from skrnn import PersistenceRegressor, SlidingWindow

    X, y = make_data()
    models = {
        "persistence": PersistenceRegressor(),
        "ridge on lags": make_pipeline(
            SlidingWindow(window=WINDOW, flatten=True), RidgeCV(np.logspace(-6, 6, 25))
        ),
    }
    cv = TimeSeriesSplit(3)
    return {
        name: -cross_val_score(m, X, y, cv=cv, scoring="neg_mean_absolute_error").mean()
        for name, m in models.items()
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=DEFAULT_VARIANTS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-others", type=float, default=0.3, help="see speed.py")
    parser.add_argument("--retries", type=int, default=2, help="see speed.py")
    parser.add_argument("--worker", metavar="VARIANT")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    variants = list(dict.fromkeys(["n_jobs=1", *args.variants]))
    if "dask" in variants:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("dask.distributed is not installed (pip install skrnn[dask]): skipping dask\n")
            variants.remove("dask")
    _harness.warn_tuning_variables()
    print(f"machine: {_harness.machine_description()}")
    print(
        f"search: {len(GRID['gruregressor__hidden_size']) * len(GRID['gruregressor__lr'])} "
        f"candidates {GRID} x 3 TimeSeriesSplit folds + refit, on {N_ROWS:,} rows, "
        f"window {WINDOW}; {args.repeats} interleaved rounds\n"
    )
    results = _harness.run_rounds(
        HERE,
        variants,
        args.repeats,
        lambda variant: [variant],
        lambda res: f"{res['seconds']:6.2f} s",
        max_others=args.max_others,
        retries=args.retries,
    )
    print()
    ref = results["n_jobs=1"]
    ref_time = _harness.median([r["seconds"] for r in ref])
    header = [
        "variant",
        "min s",
        "median s",
        "speed-up",
        "torch threads/worker",
        "same best params",
        "same scores",
        "best MAE",
        "load at start",
        "others (cores)",
    ]
    rows = []
    for variant, runs in results.items():
        times = [r["seconds"] for r in runs]
        rows.append(
            [
                variant,
                min(times),
                _harness.median(times),
                ref_time / _harness.median(times),
                ",".join(map(str, runs[0]["threads"])),
                all(r["best_params"] == ref[0]["best_params"] for r in runs),
                all(np.allclose(r["scores"], ref[0]["scores"], rtol=1e-6) for r in runs),
                -max(runs[0]["scores"]),
                " ".join(f"{r['load']:.1f}" for r in runs),
                " ".join(f"{r['others']:.2f}" for r in runs),
            ]
        )
    print(_harness.format_table(header, rows))
    print(f"\nbest parameters (n_jobs=1): {ref[0]['best_params']}")
    scores = ", ".join(f"{name} {mae:.4f}" for name, mae in baselines().items())
    print(f"mean absolute error over the same folds: {scores}")
    print(_harness.contamination_note(results, args.max_others))
    return 0


if __name__ == "__main__":
    sys.exit(main())

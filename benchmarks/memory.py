"""Peak memory of a recurrent pipeline on a long series with long windows.

``make_pipeline(SlidingWindow(window=256), GRURegressor(hidden_size=4, max_epochs=1,
batch_size=1024))`` fit and predict on 500,000 rows x 8 float32 features (16 MB), target =
the next value of feature 0. Materialised, the (500,000, 256, 8) windows would take 4.1 GB
(8.2 GB as float64); skrnn keeps the series and gathers each mini-batch's windows, so the
peak resident set size (RSS) should stay far below that: the target is 1.5 GB for the whole
process, of which importing torch, scikit-learn and skorch alone takes about 0.5 GB.

Each configuration runs in a fresh process; the table gives its RSS after imports and data
(before fitting), its peak RSS during fit and during predict, and the times.

Usage::

    python benchmarks/memory.py                 # default and plain GRURegressor, ~2 min
    python benchmarks/memory.py --rows 100000   # smaller
"""

import argparse
import os
import sys
import warnings

import _harness
import numpy as np

HERE = os.path.abspath(__file__)
WINDOW, FEATURES, BUDGET_MB = 256, 8, 1500
CONFIGS = {
    "default": {},
    "plain": dict(skip=None, center=False, early_stopping=False, clip_grad_norm=None),
}


def current_rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker(config, n_rows, device):
    import torch
    from sklearn.pipeline import make_pipeline

    from skrnn import GRURegressor, SlidingWindow

    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    from scipy.signal import lfilter

    rng = np.random.default_rng(0)
    series = rng.standard_normal((n_rows + 1, FEATURES), dtype=np.float32)
    series[:, 0] = lfilter([np.sqrt(1 - 0.9**2)], [1.0, -0.9], series[:, 0])  # AR(1), var 1
    X, y = series[:-1], series[1:, 0].copy()
    model = make_pipeline(
        SlidingWindow(window=WINDOW),
        GRURegressor(
            hidden_size=4,
            max_epochs=1,
            batch_size=1024,
            random_state=0,
            device=device,
            **CONFIGS[config],
        ),
    )
    before = current_rss_mb()
    with _harness.Usage() as fit:
        model.fit(X, y)
    peak_fit = _harness.peak_rss_mb()
    with _harness.Usage() as predict:
        pred = model.predict(X)
    peak_predict = _harness.peak_rss_mb()
    _harness.emit(
        {
            "config": config,
            "before_mb": before,
            "peak_fit_mb": peak_fit,
            "peak_predict_mb": peak_predict,
            "fit_s": fit.seconds,
            "predict_s": predict.seconds,
            "mse": float(np.mean((pred - y) ** 2)),
            "persistence_mse": float(np.mean((X[:, 0] - y) ** 2)),
        }
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=500_000, help="series length (500,000)")
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--worker", nargs=3, metavar=("CONFIG", "ROWS", "DEVICE"))
    args = parser.parse_args(argv)
    if args.worker:
        config, rows, device = args.worker
        worker(config, int(rows), device)
        return
    dense_gb = args.rows * WINDOW * FEATURES * 4 / 1e9
    print(f"machine: {_harness.machine_description()}")
    print(
        f"workload: {args.rows:,} rows x {FEATURES} float32 features "
        f"({args.rows * FEATURES * 4 / 1e6:.0f} MB), SlidingWindow({WINDOW}) -> "
        f"GRURegressor(hidden_size=4, max_epochs=1, batch_size=1024); the windows "
        f"materialised would take {dense_gb:.1f} GB\n"
    )
    header = [
        "config",
        "RSS before fit MB",
        "peak fit MB",
        "peak predict MB",
        "fit s",
        "predict s",
        "MSE",
        "persistence MSE",
        "load at start",
    ]
    rows, failed = [], []
    for config in args.configs:
        res = _harness.run_worker(HERE, [config, args.rows, args.device])
        peak = max(res["peak_fit_mb"], res["peak_predict_mb"])
        if peak > BUDGET_MB:
            failed.append(config)
        rows.append(
            [
                config,
                res["before_mb"],
                res["peak_fit_mb"],
                res["peak_predict_mb"],
                res["fit_s"],
                res["predict_s"],
                res["mse"],
                res["persistence_mse"],
                res["load"],
            ]
        )
    print(_harness.format_table(header, rows))
    verdict = f"FAILED for {', '.join(failed)}" if failed else "met by every configuration"
    print(f"\npeak RSS budget {BUDGET_MB} MB (whole process): {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of a recurrent pipeline on a long series with long windows.

``make_pipeline(SlidingWindow(window=256), GRURegressor(hidden_size=4, max_epochs=1,
batch_size=1024))`` fit and predict on 500,000 rows x 8 float32 features (16 MB), target =
the next value of feature 0. Materialised, the (500,000, 256, 8) windows would take 4.1 GB
(8.2 GB as float64); skrnn keeps the series and gathers each mini-batch's windows, so the
peak resident set size (RSS) should stay far below that: the target is 1.5 GB for the whole
process, of which importing torch, scikit-learn and skorch alone takes about 0.5 GB.

Each configuration runs in a fresh process; the table gives its RSS after imports and data
(before fitting), its peak RSS during fit and during predict, and the times.

A second table gives the size of the linear skip of a direct 10-step forecast with 8
features (``SlidingWindow(w) -> GRURegressor(hidden_size=4, max_epochs=1)``, y the next 10
values of feature 0, 20,000 rows) for windows of 64, 128 and 256 steps: the module's frozen
buffers, the fitted ``skip_`` attribute, and the model file written by :func:`skrnn.save`
and by joblib. It should grow linearly with the window.

Usage::

    python benchmarks/memory.py                 # default and plain GRURegressor, ~2 min
    python benchmarks/memory.py --rows 100000   # smaller
    python benchmarks/memory.py --parts skip    # the skip's size only, ~1 min
"""

import argparse
import os
import sys
import warnings

import _harness
import numpy as np

HERE = os.path.abspath(__file__)
WINDOW, FEATURES, BUDGET_MB = 256, 8, 1500
SKIP_ROWS, SKIP_HORIZONS, SKIP_WINDOWS = 20_000, 10, (64, 128, 256)
CONFIGS = {
    "default": {},
    "plain": dict(skip=None, center=False, early_stopping=False, clip_grad_norm=None),
}


def current_rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _series(n_rows):
    """AR(1) feature 0 (variance 1), seven white-noise features; float32."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(0)
    series = rng.standard_normal((n_rows, FEATURES), dtype=np.float32)
    series[:, 0] = lfilter([np.sqrt(1 - 0.9**2)], [1.0, -0.9], series[:, 0])
    return series


def skip_worker(n_rows, window):
    """Bytes of the skip (module buffers, fitted attribute) and of the model files."""
    import tempfile

    import joblib
    import torch

    import skrnn
    from skrnn import GRURegressor, SlidingWindow

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    series = _series(n_rows + SKIP_HORIZONS)
    X = SlidingWindow(window).fit_transform(series[:n_rows])
    y = np.column_stack([series[k : n_rows + k, 0] for k in range(1, SKIP_HORIZONS + 1)])
    model = GRURegressor(hidden_size=4, max_epochs=1, batch_size=1024, random_state=0)
    with _harness.Usage() as fit:
        model.fit(X, y)
    module = model.net_.module_
    buffers = module.skip_weight.nbytes + module.skip_bias.nbytes
    attribute = model.skip_.weight.nbytes + model.skip_.bias.nbytes
    with tempfile.TemporaryDirectory() as folder:
        skrnn.save(model, os.path.join(folder, "model.skrnn"))
        joblib.dump(model, os.path.join(folder, "model.joblib"))
        sizes = [os.path.getsize(os.path.join(folder, f"model.{k}")) for k in ("skrnn", "joblib")]
    _harness.emit(
        {
            "window": window,
            "shape": list(module.skip_weight.shape),
            "lags": model.skip_.lags,
            "buffers_mb": buffers / 1e6,
            "attribute_mb": attribute / 1e6,
            "file_mb": sizes[0] / 1e6,
            "joblib_mb": sizes[1] / 1e6,
            "fit_s": fit.seconds,
        }
    )


def skip_table(n_rows):
    header = [
        "window",
        "skip_weight shape",
        "lags",
        "buffers MB",
        "skip_ MB",
        "skrnn.save MB",
        "joblib MB",
        "fit s",
    ]
    rows = []
    for window in SKIP_WINDOWS:
        res = _harness.run_worker(HERE, ["skip", n_rows, window])
        rows.append(
            [
                window,
                " x ".join(map(str, res["shape"])),
                str(res["lags"]),
                res["buffers_mb"],
                res["attribute_mb"],
                res["file_mb"],
                res["joblib_mb"],
                res["fit_s"],
            ]
        )
    return _harness.format_table(header, rows)


def worker(config, n_rows, device):
    import torch
    from sklearn.pipeline import make_pipeline

    from skrnn import GRURegressor, SlidingWindow

    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    series = _series(n_rows + 1)
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
    parser.add_argument("--parts", nargs="+", choices=["rss", "skip"], default=["rss", "skip"])
    parser.add_argument("--worker", nargs=3, metavar=("CONFIG", "ROWS", "DEVICE"))
    args = parser.parse_args(argv)
    if args.worker:
        config, rows, device = args.worker
        if config == "skip":
            skip_worker(int(rows), int(device))
        else:
            worker(config, int(rows), device)
        return
    print(f"machine: {_harness.machine_description()}")
    failed = []
    if "rss" in args.parts:
        failed = rss_table(args)
    if "skip" in args.parts:
        print(
            f"\nthe linear skip of a {SKIP_HORIZONS}-step forecast from {FEATURES} features, "
            f"{SKIP_ROWS:,} rows, GRURegressor(hidden_size=4, max_epochs=1):\n"
        )
        print(skip_table(SKIP_ROWS))
    return 1 if failed else 0


def rss_table(args):
    dense_gb = args.rows * WINDOW * FEATURES * 4 / 1e9
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
    return failed


if __name__ == "__main__":
    sys.exit(main())

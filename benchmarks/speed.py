"""Fit and predict time of LSTMRegressor beside a hand-written PyTorch loop.

The reference workload: 50,000 rows x 5 float32 features, windows of 32 steps, target = the
next value of feature 0 (49,968 windows); LSTM with hidden size 64 and 2 layers, linear head
on the last step; batch 256, Adam lr=1e-3, MSE, 2 epochs, shuffled, 2 torch threads.

Every run of every variant is a fresh process (``--worker``), and the variants are
interleaved: round 1 runs each once, round 2 again in a rotated order, and so on. The table
gives min and median over the rounds, the ratio of the medians to the hand-written loop,
peak RSS, CPU system time and minor page faults of the fit, the minor page faults of each
round's predict (see below), the in-sample MSE beside
persistence ("tomorrow = today") and ridge regression on the same windows, and how busy the
machine was: the load average when each run started and the cores other processes kept busy
during it ("others"). A run that others disturbed by more than ``--max-others`` cores is
discarded and repeated (``--retries`` times): with two threads per process, a core taken
away stalls every parallel region and inflates times many-fold.

Variants (``--variants``; default: torch skrnn skrnn-design; ``--all`` for every one):

torch          hand-written loop: the windows pre-built as one (n, 32, 5) float32 tensor,
               manual index shuffling, nn.LSTM + nn.Linear on out[:, -1], Adam, MSELoss
torch-tuned    the same loop after skrnn's malloc setting (skrnn._data.keep_freed_memory),
               to show how much of the difference is glibc's page faults
skrnn          LSTMRegressor, plain network (skip=None, center=False, early_stopping=False,
               clip_grad_norm=None), fed SlidingWindow(32)'s output (a strided view)
skrnn-3d       the same estimator fed a pre-built contiguous (n, 32, 5) array
skrnn-design   the default design, like for like: linear skip, centred input, gradient
               clipping at 1.0 (early_stopping=False, so the same rows and epochs)
skrnn-default  every default except the workload's sizes: also early stopping, which
               trains on 90% of the rows and scores the other 10% before each epoch
skorch-naive   skorch NeuralNetRegressor fed numpy windows with its default DataLoader
               (the out-of-the-box path skrnn replaces; slow, so not run by default)

Prediction page faults: the hand-written loop predicts in blocks of 1,024 windows, whose
buffers glibc serves either from its heap or with fresh mmap calls (about 400,000 minor page
faults a prediction, 0.3-0.4 s more), depending on the process's heap layout: the loop's
predict time is bimodal between runs. The faults column shows which case each round hit.

Single-window prediction (online use) is timed in the torch and skrnn workers: the median
of 300 calls of ``estimator.predict(one_window)`` beside the bare module on a prepared
tensor, and beside that module on a block of copies of the window: skrnn predicts in
blocks of a few numbers of windows fixed by the network and checked on the machine
(``skrnn._blocks.block_sizes``, see docs/performance.rst); a window alone costs the smallest.

Usage::

    python benchmarks/speed.py                  # 9 runs of ~30 s on 2 cores
    python benchmarks/speed.py --all            # every variant, ~3x longer
    python benchmarks/speed.py --repeats 5 --variants torch skrnn skorch-naive
    python benchmarks/speed.py --device cuda    # the variants on a GPU
    python benchmarks/speed.py --rows 5000      # a quick smoke run
    python benchmarks/speed.py --predict-rows 16 32 64 128   # the prediction block size

``--predict-rows`` measures what skrnn's prediction blocks cost and buy, for each block
size given in place of skrnn's own choice: the default design (trained 1 epoch on 10,000
rows) predicts all the windows, and one window 300 times, beside the reference module
called on blocks of 1024 windows (with its page faults: see above) and on one window.
"""

import argparse
import os
import sys
import warnings

import _harness
import numpy as np

HERE = os.path.abspath(__file__)
WINDOW, FEATURES, HIDDEN, LAYERS, BATCH, LR, EPOCHS, THREADS = 32, 5, 64, 2, 256, 1e-3, 2, 2
DEFAULT_VARIANTS = ["torch", "skrnn", "skrnn-design"]
ALL_VARIANTS = [
    "torch",
    "torch-tuned",
    "skrnn",
    "skrnn-3d",
    "skrnn-design",
    "skrnn-default",
    "skorch-naive",
]
ONLINE_CALLS = 300


def make_series(n_rows, seed=0):
    """A standardized, partly predictable 5-feature series (float32, (n_rows, 5))."""
    x = raw_series(n_rows, seed)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype(np.float32)


def raw_series(n_rows, seed=0):
    """The series of :func:`make_series` before standardizing (float64).

    Feature 0 depends on its own past and on lagged features 1 and 2, with a seasonal term and
    noise, so the networks have something to learn and an irreducible error to reach.
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((n_rows, FEATURES))
    season = np.sin(2 * np.pi * np.arange(n_rows) / 50)
    x = np.empty((n_rows, FEATURES))
    x[:, 1] = lfilter([1.0], [1.0, -0.9], noise[:, 1])
    x[:, 2] = lfilter([1.0], [1.0, -0.5], noise[:, 2])
    drive = 0.5 * noise[:, 0]
    drive[3:] += 0.4 * x[:-3, 1]
    drive[1:] += 0.3 * x[:-1, 2]
    x[:, 0] = lfilter([1.0], [1.0, -0.6, 0.2], drive) + season
    x[:, 3] = season
    x[:, 4] = noise[:, 4]
    return x


def make_data(n_rows):
    """SlidingWindow(32)'s full windows (a strided view), their contiguous copy, targets."""
    from skrnn import SlidingWindow

    series = make_series(n_rows)
    windows = SlidingWindow(WINDOW).fit_transform(series)[WINDOW - 1 : -1]
    y = series[WINDOW:, 0].copy()
    return series, windows, y


# -- workers -------------------------------------------------------------------------------
def _time_calls(fn, calls=ONLINE_CALLS):
    import time

    for _ in range(10):
        fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return _harness.median(times)


def _lstm_module():
    """The reference network, as a PyTorch user writes it: nn.LSTM, a head on the last step."""
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(FEATURES, HIDDEN, LAYERS, batch_first=True)
            self.head = nn.Linear(HIDDEN, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    return Net


def worker_torch(windows, y, device):
    """The loop a PyTorch user writes over pre-built window tensors."""
    import torch
    from torch import nn

    Net = _lstm_module()
    X = torch.from_numpy(np.ascontiguousarray(windows)).to(device)
    Y = torch.from_numpy(y).reshape(-1, 1).to(device)
    n = len(X)
    torch.manual_seed(0)
    with _harness.Usage() as fit:
        model = Net().to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=LR)
        loss_fn = nn.MSELoss()
        for _ in range(EPOCHS):
            order = torch.randperm(n, device=device)
            for start in range(0, n, BATCH):
                index = order[start : start + BATCH]
                optimizer.zero_grad()
                loss = loss_fn(model(X[index]), Y[index])
                loss.backward()
                optimizer.step()
        if device != "cpu":
            torch.cuda.synchronize()
    model.eval()
    with _harness.Usage() as predict, torch.inference_mode():
        pred = torch.cat([model(xb) for xb in X.split(1024)]).cpu().numpy().ravel()
    one = X[-1:].clone()

    def bare():
        with torch.inference_mode():
            model(one).cpu()

    return fit, predict, pred, {"bare_one_s": _time_calls(bare)}


def _skrnn_estimator(variant, device):
    from skrnn import LSTMRegressor

    sizes = dict(
        hidden_size=HIDDEN,
        num_layers=LAYERS,
        batch_size=BATCH,
        lr=LR,
        max_epochs=EPOCHS,
        random_state=0,
        device=device,
    )
    if variant in ("skrnn", "skrnn-3d"):
        extra = dict(skip=None, center=False, early_stopping=False, clip_grad_norm=None)
    elif variant == "skrnn-design":
        extra = dict(early_stopping=False)
    else:
        extra = {}
    return LSTMRegressor(**sizes, **extra)


def worker_skrnn(variant, windows, y, device):
    import torch

    X = np.ascontiguousarray(windows) if variant == "skrnn-3d" else windows
    model = _skrnn_estimator(variant, device)
    with _harness.Usage() as fit:
        model.fit(X, y)
    with _harness.Usage() as predict:
        pred = model.predict(X)
    one = windows[-1:]
    prepared = torch.from_numpy(np.array(one)).to(device)
    module = model.net_.module_

    def bare():
        with torch.inference_mode():
            module(prepared).cpu()

    from skrnn._blocks import block_sizes

    block = prepared.expand(block_sizes(module, device, WINDOW, FEATURES)[-1], -1, -1)
    block = block.contiguous()

    def bare_block():
        with torch.inference_mode():
            module(block).cpu()

    extra = {
        "one_s": _time_calls(lambda: model.predict(one)),
        "bare_one_s": _time_calls(bare),
        "block_one_s": _time_calls(bare_block),
        "block_rows": len(block),
        "epochs": model.n_iter_,
    }
    return fit, predict, pred, extra


def worker_skorch_naive(windows, y, device):
    """skorch out of the box: numpy in, torch's DataLoader collating one window at a time."""
    import torch
    from skorch import NeuralNetRegressor

    X = np.ascontiguousarray(windows)
    torch.manual_seed(0)
    net = NeuralNetRegressor(
        _lstm_module(),
        max_epochs=EPOCHS,
        batch_size=BATCH,
        lr=LR,
        optimizer=torch.optim.Adam,
        train_split=None,
        iterator_train__shuffle=True,
        device=device,
        verbose=0,
    )
    with _harness.Usage() as fit:
        net.fit(X, y.reshape(-1, 1))
    with _harness.Usage() as predict:
        pred = net.predict(X).ravel()
    return fit, predict, pred, {}


def worker_block_rows(rows, n_rows, device):
    """Bulk and one-window prediction with blocks of `rows` windows, beside the module."""
    import time

    import torch

    from skrnn import _blocks

    _, windows, y = make_data(n_rows)
    model = _skrnn_estimator("skrnn-design", device).set_params(max_epochs=1)
    model.fit(windows[:10_000], y[:10_000])
    _blocks.PREDICT_ROWS[torch.device(device).type] = (rows, rows)
    module = model.net_.module_.eval()
    X = torch.from_numpy(np.ascontiguousarray(windows)).to(device)
    model.predict(windows[:1000])  # warm up
    start = time.perf_counter()
    model.predict(windows)
    bulk = time.perf_counter() - start
    with torch.inference_mode(), _harness.Usage() as bare_bulk:
        torch.cat([module(xb) for xb in X.split(1024)]).cpu()
    one, prepared = windows[-1:], X[-1:].clone()

    def bare():
        with torch.inference_mode():
            module(prepared).cpu()

    return {
        "variant": f"rows={rows}",
        "predict_s": bulk,
        "bare_predict_s": bare_bulk.seconds,
        "bare_predict_faults": bare_bulk.minor_faults,
        "one_s": _time_calls(lambda: model.predict(one)),
        "bare_one_s": _time_calls(bare),
    }


def block_rows_report(results):
    header = [
        "block rows",
        "predict s",
        "module x1024 s",
        "its faults",
        "ratio",
        "one window ms",
        "module x1 ms",
        "ratio",
        "others (cores)",
    ]
    rows = []
    for variant, runs in results.items():
        bulk = _harness.median([r["predict_s"] for r in runs])
        bare_bulk = _harness.median([r["bare_predict_s"] for r in runs])
        one = _harness.median([r["one_s"] for r in runs])
        bare_one = _harness.median([r["bare_one_s"] for r in runs])
        rows.append(
            [
                variant.removeprefix("rows="),
                bulk,
                bare_bulk,
                " ".join(str(r["bare_predict_faults"]) for r in runs),
                bulk / bare_bulk,
                one * 1e3,
                bare_one * 1e3,
                one / bare_one,
                " ".join(f"{r['others']:.2f}" for r in runs),
            ]
        )
    return _harness.format_table(header, rows) + _harness.contamination_note(results)


def worker(variant, n_rows, device):
    import torch

    torch.set_num_threads(THREADS)
    warnings.simplefilter("ignore")
    if variant.startswith("rows="):
        _harness.emit(worker_block_rows(int(variant.removeprefix("rows=")), n_rows, device))
        return
    _, windows, y = make_data(n_rows)
    if variant.startswith("torch"):
        if variant == "torch-tuned":
            from skrnn._data import keep_freed_memory

            keep_freed_memory()
        fit, predict, pred, extra = worker_torch(windows, y, device)
    elif variant == "skorch-naive":
        fit, predict, pred, extra = worker_skorch_naive(windows, y, device)
    else:
        fit, predict, pred, extra = worker_skrnn(variant, windows, y, device)
    _harness.emit(
        {
            "variant": variant,
            "fit_s": fit.seconds,
            "fit_sys_s": fit.system,
            "fit_faults": fit.minor_faults,
            "predict_s": predict.seconds,
            "predict_faults": predict.minor_faults,
            "mse": float(np.mean((pred - y) ** 2)),
            **extra,
        }
    )


# -- parent --------------------------------------------------------------------------------
def baselines(n_rows):
    """In-sample MSE of persistence and of ridge regression on the flattened windows."""
    from sklearn.linear_model import Ridge

    _, windows, y = make_data(n_rows)
    persistence = float(np.mean((windows[:, -1, 0] - y) ** 2))
    flat = windows.reshape(len(windows), -1)
    ridge = Ridge(alpha=1.0).fit(flat, y)
    return persistence, float(np.mean((ridge.predict(flat) - y) ** 2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", choices=ALL_VARIANTS, default=DEFAULT_VARIANTS)
    parser.add_argument("--all", action="store_true", help="run every variant (~3x longer)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--rows", type=int, default=50_000, help="series length (50,000)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument(
        "--max-others",
        type=float,
        default=0.3,
        help="re-run a measurement if other processes kept more than this many cores busy "
        "on average during it (default 0.3)",
    )
    parser.add_argument("--retries", type=int, default=2, help="re-runs per measurement (2)")
    parser.add_argument(
        "--predict-rows",
        nargs="+",
        type=int,
        metavar="ROWS",
        help="instead of the variants, measure prediction with blocks of these many windows",
    )
    parser.add_argument("--worker", nargs=3, metavar=("VARIANT", "ROWS", "DEVICE"))
    args = parser.parse_args(argv)
    if args.worker:
        variant, rows, device = args.worker
        worker(variant, int(rows), device)
        return
    if args.device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            parser.error("--device cuda: torch sees no CUDA device on this machine")
    variants = list(dict.fromkeys(ALL_VARIANTS if args.all else args.variants))
    if "torch" not in variants:
        variants.insert(0, "torch")
    if args.predict_rows:
        variants = [f"rows={rows}" for rows in args.predict_rows]
    _harness.warn_tuning_variables()
    print(f"machine: {_harness.machine_description()}")
    print(
        f"workload: {args.rows:,} rows x {FEATURES} features, window {WINDOW}, "
        f"LSTM({HIDDEN}, {LAYERS} layers), batch {BATCH}, {EPOCHS} epochs, Adam lr={LR}, "
        f"{THREADS} torch threads, device {args.device}; {args.repeats} interleaved rounds\n"
    )
    results = _harness.run_rounds(
        HERE,
        variants,
        args.repeats,
        lambda variant: [variant, args.rows, args.device],
        lambda res: (
            (f"fit {res['fit_s']:6.2f} s  " if "fit_s" in res else "")
            + f"predict {res['predict_s']:5.2f} s"
        ),
        max_others=args.max_others,
        retries=args.retries,
    )
    print()
    print(block_rows_report(results) if args.predict_rows else report(results, args))


def report(results, args):
    ref = results["torch"]
    ref_fit = _harness.median([r["fit_s"] for r in ref])
    ref_pred = _harness.median([r["predict_s"] for r in ref])
    ref_mse = _harness.median([r["mse"] for r in ref])
    header = [
        "variant",
        "fit min s",
        "fit med s",
        "fit ratio",
        "pred med s",
        "pred ratio",
        "pred faults",
        "fit sys s",
        "fit faults",
        "peak RSS MB",
        "MSE",
        "MSE ratio",
        "load at start",
        "others (cores)",
    ]
    rows = []
    for variant, runs in results.items():
        fits = [r["fit_s"] for r in runs]
        preds = [r["predict_s"] for r in runs]
        mse = _harness.median([r["mse"] for r in runs])
        rows.append(
            [
                variant,
                min(fits),
                _harness.median(fits),
                _harness.median(fits) / ref_fit,
                _harness.median(preds),
                _harness.median(preds) / ref_pred,
                " ".join(str(r["predict_faults"]) for r in runs),
                _harness.median([r["fit_sys_s"] for r in runs]),
                int(_harness.median([r["fit_faults"] for r in runs])),
                max(r["peak_rss_mb"] for r in runs),
                mse,
                mse / ref_mse,
                " ".join(f"{r['load']:.1f}" for r in runs),
                " ".join(f"{r['others']:.2f}" for r in runs),
            ]
        )
    persistence, ridge = baselines(args.rows)
    lines = [_harness.format_table(header, rows), ""]
    lines.append(
        f"in-sample MSE of persistence (y = last value of feature 0): {persistence:.4f}; "
        f"of ridge on the flattened windows: {ridge:.4f}"
    )
    online = [
        (
            v,
            _harness.median([r["one_s"] for r in runs]),
            _harness.median([r["bare_one_s"] for r in runs]),
            _harness.median([r["block_one_s"] for r in runs]),
            runs[0]["block_rows"],
        )
        for v, runs in results.items()
        if "one_s" in runs[0]
    ]
    bare = _harness.median([r["bare_one_s"] for r in ref])
    lines.append(
        f"\none window (online use), median of {ONLINE_CALLS} calls; hand-written module on a "
        f"prepared tensor: {bare * 1e3:.3f} ms"
    )
    for variant, one, own_bare, block, rows in online:
        lines.append(
            f"  {variant:<14} predict(one window) {one * 1e3:.3f} ms = {one / bare:.2f}x the "
            f"hand-written module ({one / own_bare:.2f}x its own module_ on a tensor; "
            f"that module on a block of {rows} rows: {block * 1e3:.3f} ms)"
        )
    lines.append("\ntargets:")
    med = {v: _harness.median([r["fit_s"] for r in runs]) for v, runs in results.items()}
    pred_med = {v: _harness.median([r["predict_s"] for r in runs]) for v, runs in results.items()}
    for variant, what, target in [
        ("skrnn", "plain LSTMRegressor", 1.05),
        ("skrnn-design", "default design, like for like", 1.10),
        ("skrnn-default", "default LSTMRegressor", 1.10),
    ]:
        if variant not in results:
            continue
        mse = _harness.median([r["mse"] for r in results[variant]]) / ref_mse
        lines.append(
            f"  {what} / hand-written loop: fit {med[variant] / ref_fit:.2f}x, predict "
            f"{pred_med[variant] / ref_pred:.2f}x (target <= {target:.2f}x); in-sample MSE "
            f"{mse:.2f}x"
        )
    for variant, one, _, _, _ in online:
        lines.append(f"  one window, {variant}: {one / bare:.2f}x the bare module (target <= 2x)")
    if "skrnn" in results and "skrnn-design" in results:
        extra = med["skrnn-design"] / med["skrnn"] - 1
        lines.append(
            f"  default design (skip, centring, clipping) over the plain network: "
            f"{extra:+.0%} fit time (aim: under +10%)"
        )
    if "torch-tuned" in results:
        lines.append(
            f"  hand-written loop with skrnn's malloc setting: fit "
            f"{med['torch-tuned'] / ref_fit:.2f}x the plain loop"
        )
    lines.append(_harness.contamination_note(results, args.max_others))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

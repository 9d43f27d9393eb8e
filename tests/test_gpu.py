"""Training on a CUDA device, and using the trained model on a machine without one.

Every test here needs a GPU; tests/conftest.py skips them, with the reason, where torch sees
none. "A machine without one" is simulated by a subprocess with CUDA_VISIBLE_DEVICES="".
"""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import joblib
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRUClassifier, LSTMRegressor, SlidingWindow, load, make_supervised, save
from skrnn._data import WindowDataset

pytestmark = pytest.mark.gpu


def _series(n=300):
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return np.column_stack([np.sin(t / 6) + 0.1 * rng.standard_normal(n), np.cos(t / 6)])


def _pipeline(**params):
    return make_pipeline(
        StandardScaler(),
        SlidingWindow(window=8),
        LSTMRegressor(hidden_size=8, max_epochs=5, random_state=0, device="cuda", **params),
    )


def test_trains_and_predicts_on_the_gpu():
    X, y = make_supervised(_series(), target=0)
    model = _pipeline(skip=None, center=False, early_stopping=False, lr=0.01).fit(X, y)
    net = model[-1].net_
    assert {p.device.type for p in net.module_.parameters()} == {"cuda"}
    losses = net.history[:, "train_loss"]
    assert losses[-1] < losses[0]  # it trained
    pred = model.predict(X)
    assert pred.shape == (len(X),)
    assert np.isfinite(pred).all()
    # Front-padded windows (the first rows) take the packed path on the device too.
    assert np.isfinite(model.predict(X[:3])).all()


def test_batches_are_gathered_on_the_device():
    X, y = make_supervised(_series(60), target=0)
    windows = SlidingWindow(window=5).fit_transform(X)
    model = LSTMRegressor(hidden_size=4, max_epochs=1, device="cuda", random_state=0)
    model.fit(windows, y)
    dataset = WindowDataset(model._compact(windows, reset=False), device=model.net_.device)
    x, _ = dataset.batch(np.arange(10))
    assert x["x"].device.type == "cuda"
    assert x["lengths"].tolist() == [1, 2, 3, 4] + [5] * 6


def test_classifier_trains_on_the_gpu():
    X = _series(200)
    y = (np.diff(X[:, 0], append=X[-1, 0]) > 0).astype(int)
    model = make_pipeline(
        SlidingWindow(window=6),
        GRUClassifier(hidden_size=8, max_epochs=3, device="cuda", random_state=0),
    ).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


_CPU_ONLY = textwrap.dedent(
    """
    import json, sys, warnings
    import joblib, numpy as np, torch
    from skrnn import load

    assert not torch.cuda.is_available()
    X = np.load(sys.argv[3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skorch's DeviceWarning: cuda -> cpu
        pickled = joblib.load(sys.argv[1])
    safe = load(sys.argv[2])  # device="cpu" by default
    print(json.dumps({
        "device": str(pickled[-1].net_.device),
        "weights": sorted({p.device.type for p in pickled[-1].net_.module_.parameters()}),
        "pickled": pickled.predict(X).tolist(),
        "safe": safe.predict(X).tolist(),
    }))
    """
)


def test_gpu_model_loads_and_predicts_without_a_gpu(tmp_path):
    X, y = make_supervised(_series(), target=0)
    model = _pipeline().fit(X, y)
    expected = model.predict(X)
    joblib.dump(model, tmp_path / "model.joblib")
    save(model, tmp_path / "model.safetensors")
    np.save(tmp_path / "X.npy", X)

    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    args = [tmp_path / "model.joblib", tmp_path / "model.safetensors", tmp_path / "X.npy"]
    proc = subprocess.run(
        [sys.executable, "-c", _CPU_ONLY, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["device"] == "cpu"
    assert out["weights"] == ["cpu"]
    # The same weights on another device: equal up to float32 rounding.
    np.testing.assert_allclose(out["pickled"], expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out["safe"], expected, rtol=1e-4, atol=1e-5)


def test_gpu_model_loads_on_the_cpu_in_process(tmp_path):
    X, y = make_supervised(_series(), target=0)
    model = _pipeline().fit(X, y)
    save(model, tmp_path / "model.safetensors")
    loaded = load(tmp_path / "model.safetensors", device="cpu")
    assert {p.device.type for p in loaded[-1].net_.module_.parameters()} == {"cpu"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no device warning: the file holds no device tensors
        pred = loaded.predict(X)
    np.testing.assert_allclose(pred, model.predict(X), rtol=1e-4, atol=1e-5)


def test_prediction_does_not_depend_on_its_neighbours_on_the_gpu():
    # Blocks of a fixed number of windows on the GPU too (skrnn._blocks.predict_rows).
    X, y = make_supervised(_series(), target=0)
    model = _pipeline().fit(X, y)
    windows, estimator = model[:-1].transform(X), model[-1]
    reference = estimator.predict(windows)
    rng = np.random.default_rng(0)
    for size in (1, 5, 1023, 1025):
        index = rng.integers(0, len(windows), size=size)  # padded windows among them
        np.testing.assert_array_equal(estimator.predict(windows[index]), reference[index])

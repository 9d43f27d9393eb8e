"""The ``device`` parameter: checked before torch runs, and models that move between machines.

This machine has no GPU, so a model trained on one is simulated: its skorch net says
``device="cuda"`` and the tensors in its pickle carry torch's ``cuda:0`` location tag, as a
CUDA-trained network's do.
"""

import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.exceptions import DeviceWarning

import skrnn
from skrnn import LSTMRegressor, SlidingWindow, make_supervised
from skrnn._device import available_devices, resolve_device

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason="simulates a machine without CUDA; this one has it"
)

TINY = dict(hidden_size=4, max_epochs=2, random_state=0)


def _data(n=120):
    rng = np.random.default_rng(0)
    close = 50 + np.cumsum(rng.normal(size=n))
    frame = pd.DataFrame({"Open": close + rng.normal(size=n) * 0.1, "Close": close})
    return make_supervised(frame, target="Close")


def _windows(n=40):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 5, 2)), rng.normal(size=n)


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ("tpu", "is not a device"),
        ("cuda", "no CUDA"),
        ("cuda:3", "no CUDA"),
        ("mps", "MPS backend is not available"),
        ("gpu", "is not a device"),
        (torch.device("cuda", 1), "no CUDA"),
    ],
)
def test_unavailable_device_is_one_clear_value_error(device, message):
    X, y = _windows()
    model = LSTMRegressor(device=device, **TINY)
    with pytest.raises(ValueError, match=message) as info:
        model.fit(X, y)
    text = str(info.value)
    assert text.startswith(f"device={str(device)!r}" if isinstance(device, str) else "device=")
    assert "device='cpu'" in text or "'cpu'" in text  # says what would work
    # Raised before any torch work: no torch error chained behind it, nothing fitted.
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None
    assert not hasattr(model, "net_")


@pytest.mark.parametrize("device", ["auto", "AUTO", " auto "])
def test_auto_resolves_to_the_cpu_here(device):
    X, y = _windows()
    model = LSTMRegressor(device=device, **TINY).fit(X, y)
    assert model.device_ == "cpu"
    assert str(model.net_.device) == "cpu"
    assert model.device == device  # the parameter is left as given
    assert available_devices() == ["cpu"]


def test_default_is_the_cpu_whatever_the_machine():
    # "auto" would make one script give different numbers on a GPU machine.
    assert LSTMRegressor().device == "cpu"
    assert skrnn.GRUClassifier().device == "cpu"
    assert resolve_device(torch.device("cpu")) == "cpu"


def test_cli_device_cuda_is_a_one_line_error(tmp_path):
    X, _y = _data(200)
    frame = X.assign(Date=pd.date_range("2020-01-01", periods=len(X)))
    frame.to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / "m.joblib"
    argv = ["train", tmp_path / "data.csv", "--target", "Close", "--out", out, "--device", "cuda"]
    proc = subprocess.run(
        [sys.executable, "-m", "skrnn.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "device='cuda'" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


# -- models trained on a GPU, used on this CPU-only machine ---------------------------------
def _tag_storages_as_cuda(monkeypatch):
    """Make torch.save tag every storage ``cuda:0``, as it does for a CUDA tensor's."""
    registry = torch.serialization._package_registry
    tagger = (-1, lambda storage: "cuda:0", lambda storage, location: None)
    monkeypatch.setattr(torch.serialization, "_package_registry", [tagger, *registry])


def _as_if_trained_on_cuda(estimator):
    estimator.set_params(device="cuda")
    estimator.device_ = "cuda"
    estimator.net_.device = "cuda"
    return estimator


@pytest.fixture
def fitted():
    X, y = _data()
    model = make_pipeline(StandardScaler(), SlidingWindow(window=5), LSTMRegressor(**TINY))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model, X, y


def test_joblib_file_from_a_gpu_loads_and_predicts_on_the_cpu(fitted, tmp_path, monkeypatch):
    model, X, y = fitted
    expected = model.predict(X)
    _as_if_trained_on_cuda(model[-1])
    with monkeypatch.context() as patch:
        _tag_storages_as_cuda(patch)
        joblib.dump(model, tmp_path / "model.joblib")
        # The simulation is faithful: torch refuses these tensors without a map location.
        blob = model[-1].net_.__getstate__()["__cuda_dependent_attributes__"]
    with pytest.raises(RuntimeError, match="CUDA"):
        pickle.loads(blob)

    with pytest.warns(DeviceWarning):  # skorch says it maps the network to the CPU
        loaded = joblib.load(tmp_path / "model.joblib")
    est = loaded[-1]
    assert str(est.net_.device) == "cpu"
    assert est.device_ == "cpu"  # where the fitted network is now
    assert {p.device.type for p in est.net_.module_.parameters()} == {"cpu"}
    assert {b.device.type for b in est.net_.module_.buffers()} == {"cpu"}
    np.testing.assert_array_equal(loaded.predict(X), expected)
    # The parameter is the user's and stays "cuda": refitting here is the clear error...
    assert est.device == "cuda"
    for warm_start in (False, True):
        est.set_params(warm_start=warm_start)
        with pytest.raises(ValueError, match="device='cuda'"):
            loaded.fit(X, y)
    # ...until the user chooses the CPU.
    est.set_params(device="cpu", warm_start=True)
    loaded.fit(X, y)
    assert np.isfinite(loaded.predict(X)).all()


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_skrnn_file_from_a_gpu_loads_on_the_cpu(fitted, tmp_path, device):
    model, X, y = fitted
    expected = model.predict(X)
    est = _as_if_trained_on_cuda(model[-1])
    est.set_params(device=device)
    est.device_ = device
    skrnn.save(model, tmp_path / "model.skrnn")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # load(device="cpu") is explicit: nothing to warn
        loaded = skrnn.load(tmp_path / "model.skrnn")
    est = loaded[-1]
    assert (est.device, est.device_, str(est.net_.device)) == ("cpu", "cpu", "cpu")
    np.testing.assert_array_equal(loaded.predict(X), expected)
    est.set_params(warm_start=True)
    loaded.fit(X, y)  # and trains further on the CPU
    # Keeping the saved device is a choice this machine cannot honour: the clear error.
    with pytest.raises(ValueError, match=f"device={device!r}"):
        skrnn.load(tmp_path / "model.skrnn", device=None)

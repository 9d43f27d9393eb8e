"""Model files: skrnn's data-only save/load, and joblib persistence across processes."""

import _pickle
import dataclasses
import json
import pickle
import struct
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import safetensors
import safetensors.numpy
import torch
from sklearn.exceptions import NotFittedError
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)
from skorch.callbacks import EpochTimer

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    PersistenceRegressor,
    RNNClassifier,
    RNNRegressor,
    SlidingWindow,
    _io,
    load,
    make_supervised,
    save,
)
from skrnn._skip import skip_lengths

TINY = dict(hidden_size=3, max_epochs=2, random_state=0)
DATA = Path(__file__).parent / "data"


def _series(n_rows=80, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(size=(n_rows, n_features)), axis=0)
    return pd.DataFrame(values, columns=[f"f{j}" for j in range(n_features)])


def _supervised(horizon=1, nan=False):
    X, y = make_supervised(_series(), target="f0", horizon=horizon)
    if nan:
        X = X.copy()
        X.iloc[[3, 17, 40], 1] = np.nan
    return X, y


def _windows_3d():
    X, y = make_supervised(_series().to_numpy(), target=0)
    return SlidingWindow(window=4).fit_transform(X), y


def _labels(y, kind):
    """Classification targets from regression ones: the direction of the next move."""
    up = np.diff(np.asarray(y, dtype=float), prepend=0.0) > 0
    if kind == "str":
        return np.where(up, "up", "down")
    if kind == "int":
        return np.where(up, 5, np.where(np.arange(len(up)) % 3 == 0, 0, 2))
    return up


def _sequences_2d():
    X, y = make_supervised(_series(n_features=1).to_numpy(), target=0)
    return np.ascontiguousarray(SlidingWindow(window=5).fit_transform(X)[4:, :, 0]), y[4:]


# name -> (model, X, y); every model is fitted in the test.
CASES = {
    "standard-window-lstm": lambda: (
        make_pipeline(StandardScaler(), SlidingWindow(window=5), LSTMRegressor(**TINY)),
        *_supervised(),
    ),
    "standard-window-lstm-quantiles-two-steps": lambda: (
        make_pipeline(
            StandardScaler(),
            SlidingWindow(window=5),
            LSTMRegressor(loss="quantile", quantile=(0.1, 0.5, 0.9), **TINY),
        ),
        *_supervised(horizon=2),
    ),
    "minmax-window-gru-plain-multioutput": lambda: (
        make_pipeline(
            MinMaxScaler(), SlidingWindow(window=4), GRURegressor(skip=None, center=False, **TINY)
        ),
        *_supervised(horizon=3),
    ),
    "rnn-relu-persistence-deep-bidirectional-3d": lambda: (
        RNNRegressor(
            nonlinearity="relu",
            skip="persistence",
            num_layers=2,
            bidirectional=True,
            dropout=0.2,
            **TINY,
        ),
        *_windows_3d(),
    ),
    "lstm-2d-sequences": lambda: (LSTMRegressor(skip=None, **TINY), *_sequences_2d()),
    "gru-unscaled-no-early-stopping": lambda: (
        GRURegressor(scale_target=False, early_stopping=False, optimizer="sgd", **TINY),
        *_windows_3d(),
    ),
    "nested-imputer-maxabs-lstm": lambda: (
        Pipeline(
            [
                (
                    "prep",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                            ("scale", MaxAbsScaler()),
                        ]
                    ),
                ),
                ("window", SlidingWindow(window=3)),
                ("model", LSTMRegressor(**TINY)),
            ]
        ),
        *_supervised(nan=True),
    ),
    "robust-window-persistence": lambda: (
        make_pipeline(RobustScaler(), SlidingWindow(window=3), PersistenceRegressor()),
        *_supervised(),
    ),
    "persistence-rows-multioutput": lambda: (PersistenceRegressor(), *_supervised(horizon=2)),
    "standard-window-lstm-classifier-str-labels": lambda: (
        make_pipeline(StandardScaler(), SlidingWindow(window=4), LSTMClassifier(**TINY)),
        _supervised()[0],
        _labels(_supervised()[1], "str"),
    ),
    "gru-classifier-int-labels-class-weight-3d": lambda: (
        GRUClassifier(class_weight={0: 1.0, 2: 3.0, 5: 0.5}, **TINY),
        _windows_3d()[0],
        _labels(_windows_3d()[1], "int"),
    ),
    "rnn-classifier-bool-labels-balanced-2d": lambda: (
        RNNClassifier(class_weight="balanced", nonlinearity="relu", **TINY),
        _sequences_2d()[0],
        _labels(_sequences_2d()[1], "bool"),
    ),
    "window-flatten-passthrough": lambda: (
        Pipeline([("none", None), ("skip", "passthrough"), ("w", SlidingWindow(3, flatten=True))]),
        *_supervised(),
    ),
}

TRANSFORMERS = [
    StandardScaler(),
    StandardScaler(with_mean=False),
    MinMaxScaler(feature_range=(-1, 2)),
    RobustScaler(quantile_range=(10.0, 90.0)),
    MaxAbsScaler(),
    SimpleImputer(strategy="mean"),
    SimpleImputer(strategy="median"),
    SimpleImputer(strategy="most_frequent"),
    SimpleImputer(strategy="constant", fill_value=-1.5, add_indicator=True),
    SlidingWindow(window=4),
    SlidingWindow(window=4, flatten=True, padding="nan"),
]


def _assert_same(a, b, where="estimator"):
    """Recursive equality of parameters, fitted attributes and network weights."""
    assert type(a) is type(b), where
    if isinstance(a, Pipeline):
        assert [name for name, _ in a.steps] == [name for name, _ in b.steps]
        for (name, step_a), (_, step_b) in zip(a.steps, b.steps, strict=True):
            _assert_same(step_a, step_b, f"{where}.{name}")
        return
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif dataclasses.is_dataclass(a):
        _assert_same(vars(a), vars(b), where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (item_a, item_b) in enumerate(zip(a, b, strict=True)):
            _assert_same(item_a, item_b, f"{where}[{i}]")
    elif hasattr(a, "get_params"):
        _assert_same(a.get_params(deep=False), b.get_params(deep=False), f"{where} params")
        state_a = {k: v for k, v in vars(a).items() if k != "net_"}
        state_b = {k: v for k, v in vars(b).items() if k != "net_"}
        _assert_same(state_a, state_b, f"{where} attributes")
        if hasattr(a, "net_"):
            weights_a, weights_b = a.net_.module_.state_dict(), b.net_.module_.state_dict()
            assert weights_a.keys() == weights_b.keys()
            for key in weights_a:
                assert torch.equal(weights_a[key], weights_b[key]), f"{where} weight {key}"
            assert len(a.history_) == len(b.history_)
            for key in ("epoch", "train_loss", "valid_loss"):
                if len(a.history_) and key in a.history_[0]:
                    assert a.history_[:, key] == b.history_[:, key]
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


@pytest.fixture
def model_path(tmp_path):
    return tmp_path / "model.safetensors"


@pytest.mark.parametrize("case", CASES)
def test_round_trip_predicts_identically(case, model_path):
    model, X, y = CASES[case]()
    model.fit(X, y)
    save(model, model_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load(model_path)
    _assert_same(model, loaded)
    methods = [m for m in ("predict", "predict_proba", "transform") if hasattr(model, m)]
    for method in methods:
        expected = getattr(model, method)(X)
        np.testing.assert_array_equal(getattr(loaded, method)(X), expected)
        # Other rows too (the same series from row 5 on), not only the training rows.
        np.testing.assert_array_equal(getattr(loaded, method)(X[5:]), getattr(model, method)(X[5:]))
    if hasattr(model, "classes_"):
        assert loaded.classes_.dtype == model.classes_.dtype
        assert set(loaded.predict(X)) <= set(model.classes_)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
def test_round_trip_transformers(transformer, model_path):
    X, _ = _supervised(nan=isinstance(transformer, SimpleImputer))
    transformer.fit(X)
    save(transformer, model_path)
    loaded = load(model_path)
    _assert_same(transformer, loaded)
    np.testing.assert_array_equal(loaded.transform(X), transformer.transform(X))
    np.testing.assert_array_equal(
        loaded.get_feature_names_out(), transformer.get_feature_names_out()
    )


def test_feature_names_and_pandas_output_survive(model_path):
    X, _ = _supervised()
    model = make_pipeline(StandardScaler(), MinMaxScaler()).set_output(transform="pandas")
    model.fit(X)
    save(model, model_path)
    loaded = load(model_path)
    assert list(loaded.feature_names_in_) == ["f0", "f1"]
    pd.testing.assert_frame_equal(loaded.transform(X), model.transform(X))
    with pytest.raises(ValueError, match="feature names"):
        loaded.transform(X.rename(columns={"f0": "other"}))


def test_file_is_a_plain_safetensors_file(model_path):
    model, X, y = CASES["standard-window-lstm"]()
    save(model.fit(X, y), model_path)
    with safetensors.safe_open(model_path, framework="numpy") as file:
        names = set(file.keys())
        metadata = file.metadata()
        weight = file.get_tensor("lstmregressor.net_.rnn.weight_ih_l0")
    assert {
        "standardscaler.mean_",
        "lstmregressor.target_mean_",
        "lstmregressor.skip_.weight",
        "lstmregressor.net_.skip_weight",
        "lstmregressor.net_.head.weight",
    } <= names
    np.testing.assert_array_equal(weight, model[-1].net_.module_.rnn.weight_ih_l0.detach().numpy())
    assert metadata["format"] == "skrnn"
    assert metadata["format_version"] == str(_io.FORMAT_VERSION)
    config = json.loads(metadata["config"])
    assert set(config["versions"]) == {"skrnn", "torch", "sklearn"}
    assert config["estimator"]["class"] == "sklearn.pipeline.Pipeline"


def _sabotage_unpickling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load() tried to unpickle")

    class RefusingUnpickler:
        def __init__(self, *args, **kwargs):
            refuse()

    for module in (pickle, _pickle):
        monkeypatch.setattr(module, "load", refuse)
        monkeypatch.setattr(module, "loads", refuse)
        monkeypatch.setattr(module, "Unpickler", RefusingUnpickler)
    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(joblib, "load", refuse)


def test_load_never_unpickles(model_path, monkeypatch):
    model, X, y = CASES["nested-imputer-maxabs-lstm"]()
    expected = model.fit(X, y).predict(X)
    save(model, model_path)
    _sabotage_unpickling(monkeypatch)
    with pytest.raises(AssertionError, match="unpickle"):
        pickle.loads(pickle.dumps(1))  # the sabotage is in place
    np.testing.assert_array_equal(load(model_path).predict(X), expected)


def _run_python(code, *args):
    """Run `code` in a fresh interpreter with this process's torch thread count."""
    prelude = f"import torch; torch.set_num_threads({torch.get_num_threads()})\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_load_in_fresh_process_with_unpickling_disabled(tmp_path, model_path):
    model, X, y = CASES["standard-window-lstm"]()
    expected = model.fit(X, y).predict(X)
    save(model, model_path)
    np.save(tmp_path / "X.npy", X.to_numpy())
    code = """
        import sys, pickle, _pickle

        def refuse(*args, **kwargs):
            raise AssertionError("load() tried to unpickle")

        class RefusingUnpickler:
            def __init__(self, *args, **kwargs):
                refuse()

        for module in (pickle, _pickle):
            module.load = module.loads = refuse
            module.Unpickler = RefusingUnpickler
        torch.load = refuse

        import numpy as np
        import pandas as pd
        from skrnn import load

        model_path, x_path, out_path = sys.argv[1:]
        X = pd.DataFrame(np.load(x_path, allow_pickle=False), columns=["f0", "f1"])
        np.save(out_path, load(model_path).predict(X), allow_pickle=False)
        assert pickle.loads is refuse and torch.load is refuse
    """
    _run_python(code, model_path, tmp_path / "X.npy", tmp_path / "pred.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "pred.npy", allow_pickle=False), expected)


@pytest.fixture
def saved_lstm(model_path):
    model, X, y = CASES["standard-window-lstm"]()
    save(model.fit(X, y), model_path)
    return model_path


def _header_size(data):
    return struct.unpack("<Q", data[:8])[0]


def test_flipped_tensor_byte_is_refused(saved_lstm):
    data = bytearray(saved_lstm.read_bytes())
    data_start = 8 + _header_size(data)
    for position in (data_start, (data_start + len(data)) // 2, len(data) - 1):
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        saved_lstm.write_bytes(bytes(tampered))
        with pytest.raises(ValueError, match="modified or damaged"):
            load(saved_lstm)


def test_edited_configuration_is_refused(saved_lstm):
    data = saved_lstm.read_bytes()
    # Same length, so the file stays a well-formed safetensors file.
    for old, new in [
        (b'\\"window\\":5', b'\\"window\\":6'),
        (b'\\"max_epochs\\":2', b'\\"max_epochs\\":3'),
    ]:
        assert old in data
        saved_lstm.write_bytes(data.replace(old, new, 1))
        with pytest.raises(ValueError, match="modified or damaged"):
            load(saved_lstm)


@pytest.mark.parametrize("keep", [0, 5, 8, 100, -1, -4096])
def test_truncated_file_is_refused(saved_lstm, keep):
    data = saved_lstm.read_bytes()
    saved_lstm.write_bytes(data[:keep])
    with pytest.raises(ValueError, match=r"truncated|damaged|Not a skrnn model file"):
        load(saved_lstm)


def test_other_files_are_refused(model_path):
    model_path.write_bytes(safetensors.numpy.save({"w": np.zeros(3)}))  # no skrnn metadata
    with pytest.raises(ValueError, match="Not a skrnn model file"):
        load(model_path)
    model_path.write_bytes(pickle.dumps(StandardScaler()))
    with pytest.raises(ValueError, match="Not a skrnn model file"):
        load(model_path)
    model_path.write_text('{"format": "skrnn"}')
    with pytest.raises(ValueError, match="Not a skrnn model file"):
        load(model_path)


def _rewrite(path, edit_config):
    """Edit a model file's configuration and re-sign it: a well-formed, hostile file."""
    with safetensors.safe_open(path, framework="numpy") as file:
        metadata = file.metadata()
        tensors = {name: file.get_tensor(name) for name in file.keys()}  # noqa: SIM118
    config = json.loads(metadata["config"])
    edit_config(config)
    metadata["config"] = json.dumps(config)
    metadata["sha256"] = _io._digest(metadata, tensors)
    path.write_bytes(safetensors.numpy.save(tensors, metadata=metadata))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["estimator"]["steps"][0][1].update({"class": "builtins.eval"}), "not load"),
        (
            lambda c: c["estimator"]["steps"][0][1].update({"class": "sklearn.linear_model.Ridge"}),
            "not load",
        ),
        (lambda c: c["estimator"]["steps"][0].__setitem__(1, {"step": "os.system"}), "Unknown"),
        (
            lambda c: c["estimator"]["steps"][2][1]["attributes"]["skip_"].update(
                {"__dataclass__": "subprocess.Popen"}
            ),
            "not valid",
        ),
        (
            lambda c: c["estimator"]["steps"][2][1]["attributes"].update(
                {"__class__": "builtins.object"}
            ),
            "Invalid attribute",
        ),
        (
            lambda c: c["estimator"]["steps"][2][1]["params"].update({"evil": 1}),
            "not valid",
        ),
        (lambda c: c.pop("versions"), "no valid model description"),
        (
            lambda c: c["estimator"]["steps"][2][1]["attributes"].update(
                {"device_": {"__device__": "nope"}}
            ),
            "not valid: RuntimeError",
        ),
    ],
    ids=[
        "class-eval",
        "class-not-allowed",
        "step-string",
        "dataclass-not-allowed",
        "dunder-attribute",
        "unknown-param",
        "no-versions",
        "bad-device",
    ],
)
def test_hostile_file_with_valid_digest_is_refused(saved_lstm, edit, message):
    _rewrite(saved_lstm, edit)
    with pytest.raises(ValueError, match=message):
        load(saved_lstm)


def test_a_header_nested_past_the_recursion_limit_is_refused(tmp_path):
    header = b'{"__metadata__":{"format":"skrnn"},"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path = tmp_path / "deep.skrnn"
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(ValueError, match="Not a skrnn model file"):
        load(path)


def test_hostile_weights_with_valid_digest_are_refused(saved_lstm):
    def edit(config):
        config["estimator"]["steps"][2][1]["network"]["state_dict"]["head.weight"] = {
            "__tensor__": "standardscaler.mean_"
        }

    _rewrite(saved_lstm, edit)
    with pytest.raises(ValueError, match="weights"):
        load(saved_lstm)


def test_unknown_format_version_is_refused(model_path, monkeypatch):
    monkeypatch.setattr(_io, "FORMAT_VERSION", 99)
    save(PersistenceRegressor().fit([[1.0], [2.0], [3.0]], [2.0, 3.0, 4.0]), model_path)
    monkeypatch.undo()
    with pytest.raises(ValueError, match="format version '99'"):
        load(model_path)


@pytest.mark.parametrize("library", ["skrnn", "torch", "sklearn"])
def test_other_major_version_warns(model_path, monkeypatch, library):
    model = PersistenceRegressor().fit([[1.0], [2.0], [3.0]], [2.0, 3.0, 4.0])
    current = _io._versions()
    major = int(current[library].split(".")[0])
    newer_minor = {**current, library: f"{major}.999.0"}
    monkeypatch.setattr(_io, "_versions", lambda: newer_minor)
    save(model, model_path)
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(model_path)  # same major version: silent

    other_major = {**current, library: f"{major + 1}.0.0"}
    monkeypatch.setattr(_io, "_versions", lambda: other_major)
    save(model, model_path)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match=f"major version of {library} {major + 1}.0.0"):
        loaded = load(model_path)
    np.testing.assert_array_equal(loaded.predict([[5.0]]), [5.0])


def test_unsupported_steps_raise_type_error(model_path):
    X, y = _supervised()
    model = make_pipeline(StandardScaler(), SlidingWindow(3, flatten=True), Ridge()).fit(X, y)
    with pytest.raises(TypeError, match=r"pipeline step 'ridge'.*Ridge.*joblib"):
        save(model, model_path)
    nested = Pipeline([("outer", make_pipeline(FunctionTransformer()))]).fit(X)
    with pytest.raises(TypeError, match="step 'functiontransformer' of pipeline step 'outer'"):
        save(nested, model_path)
    search = GridSearchCV(PersistenceRegressor(), {"target_feature": ["auto", 0]}, cv=2)
    with pytest.raises(TypeError, match="best_estimator_"):
        save(search.fit(X, y), model_path)
    assert not model_path.exists()
    assert list(model_path.parent.iterdir()) == []  # no temporary file left behind


def test_subclass_is_not_supported(model_path):
    class MyLSTM(LSTMRegressor):
        pass

    X, y = _windows_3d()
    with pytest.raises(TypeError, match="MyLSTM is not supported"):
        save(MyLSTM(**TINY).fit(X, y), model_path)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"callbacks": [("timer", EpochTimer())]}, "callbacks.*set_params"),
        ({"random_state": np.random.RandomState(0)}, "random_state.*RandomState"),
    ],
)
def test_params_that_are_not_data_are_refused(model_path, params, match):
    X, y = _windows_3d()
    model = LSTMRegressor(**{**TINY, **params}).fit(X, y)
    with pytest.raises(TypeError, match=match):
        save(model, model_path)


def test_unfitted_is_refused(model_path):
    with pytest.raises(NotFittedError):
        save(LSTMRegressor(), model_path)
    X, _ = _supervised()
    half_fitted = Pipeline([("scale", StandardScaler().fit(X)), ("model", PersistenceRegressor())])
    with pytest.raises(NotFittedError):
        save(half_fitted, model_path)
    assert not model_path.exists()


def test_failed_save_keeps_existing_file(model_path):
    X, y = _windows_3d()
    save(PersistenceRegressor().fit(X, y), model_path)
    before = model_path.read_bytes()
    with pytest.raises(TypeError):
        save(Ridge().fit(X[:, -1], y), model_path)
    assert model_path.read_bytes() == before


def test_saved_gpu_device_loads_on_cpu(model_path):
    model, X, y = CASES["rnn-relu-persistence-deep-bidirectional-3d"]()
    expected = model.fit(X, y).predict(X)
    model.set_params(device="cuda:0")  # as if trained on a GPU
    save(model, model_path)
    loaded = load(model_path)
    assert loaded.device == "cpu"
    assert loaded.net_.module_.head.weight.device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), expected)


def test_warm_start_after_load_continues_training(model_path):
    model, X, y = CASES["gru-unscaled-no-early-stopping"]()
    model.fit(X, y)
    save(model, model_path)
    loaded = load(model_path).set_params(warm_start=True)
    before = loaded.net_.module_.head.weight.detach().clone()
    loaded.fit(X, y)
    assert len(loaded.history_) == 2 + 2
    assert loaded.history_[:2, "train_loss"] == model.history_[:, "train_loss"]
    assert not torch.equal(loaded.net_.module_.head.weight, before)


def test_load_leaves_global_random_state_alone(saved_lstm):
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 - the legacy global state is what callers share
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()  # noqa: NPY002
    load(saved_lstm)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tolist() == numpy_state[1].tolist()  # noqa: NPY002


@pytest.mark.gpu
def test_gpu_model_loads_on_cpu(model_path):
    model, X, y = CASES["standard-window-lstm"]()
    model.set_params(lstmregressor__device="cuda").fit(X, y)
    save(model, model_path)
    loaded = load(model_path)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-5, atol=1e-6)
    on_gpu = load(model_path, device="cuda")
    np.testing.assert_array_equal(on_gpu.predict(X), model.predict(X))


def test_joblib_pipeline_and_search_reload_in_fresh_process(tmp_path):
    X, y = _supervised()
    pipeline = make_pipeline(StandardScaler(), SlidingWindow(window=4), LSTMRegressor(**TINY))
    pipeline.fit(X, y)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), SlidingWindow(window=4), GRURegressor(**TINY)),
        {"slidingwindow__window": [3, 5]},
        cv=TimeSeriesSplit(2),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    joblib.dump(pipeline, tmp_path / "pipeline.joblib")
    joblib.dump(search, tmp_path / "search.joblib")
    np.save(tmp_path / "X.npy", X.to_numpy())
    code = """
        import sys
        import joblib
        import numpy as np
        import pandas as pd

        folder = sys.argv[1]
        X = pd.DataFrame(np.load(f"{folder}/X.npy"), columns=["f0", "f1"])
        for name in ("pipeline", "search"):
            model = joblib.load(f"{folder}/{name}.joblib")
            np.save(f"{folder}/{name}.npy", model.predict(X))
    """
    _run_python(code, tmp_path)
    np.testing.assert_array_equal(np.load(tmp_path / "pipeline.npy"), pipeline.predict(X))
    np.testing.assert_array_equal(np.load(tmp_path / "search.npy"), search.predict(X))


def test_format_1_file_is_converted_on_loading(model_path):
    # Written by skrnn 0.1.0 in format 1, whose skip held a map per number of real steps:
    # make_pipeline(StandardScaler(), SlidingWindow(6), GRURegressor(hidden_size=3,
    # max_epochs=3, early_stopping=False, random_state=0)) on a seasonal AR(2) series with
    # its season as second feature, horizon 2; the .npz holds X and the predictions then.
    with pytest.warns(UserWarning, match="format version 1.*front-padded window"):
        loaded = load(DATA / "skip_format1.safetensors")
    reference = np.load(DATA / "skip_format1.npz")
    X = pd.DataFrame(reference["X"], columns=["value", "season"])
    est = loaded[-1]
    assert est.loss == est.loss_ == "squared_error"  # saved before loss="auto" existed
    assert est.skip_.lags == "all_features"
    assert est.skip_.weight.shape == est.net_.module_.skip_weight.shape == (1 + 2 + 4 + 6, 2, 2)
    predicted, before = loaded.predict(X), reference["predictions"]
    # Full windows and those with 1, 2 or 4 real steps keep their maps: same forecasts.
    n_real = np.minimum(np.arange(len(X)) + 1, 6)
    kept = np.isin(n_real, skip_lengths(6))
    assert kept[5:].all()
    np.testing.assert_allclose(predicted[kept], before[kept], rtol=1e-5, atol=1e-6)
    # 3 and 5 real steps now use the maps of their last 2 and 4, as a model fitted now does.
    assert not np.isclose(predicted[~kept], before[~kept]).all()
    save(loaded, model_path)  # and it is written in the current format
    with safetensors.safe_open(model_path, "numpy") as file:
        assert file.metadata()["format_version"] == str(_io.FORMAT_VERSION) == "2"
    np.testing.assert_array_equal(load(model_path).predict(X), predicted)


def test_classifier_file_from_before_pooling_loads_unchanged():
    # Written by skrnn 0.1.0 before classifiers had `pooling` (they read the final hidden
    # state): LSTMClassifier(hidden_size=4, max_epochs=3, random_state=0) on 40 random walks
    # of 12 steps x 2 features, 4 of them front-padded; the .npz holds X and the
    # probabilities then. The default pooling has changed since; the file must not.
    loaded = load(DATA / "classifier_before_pooling.safetensors")
    reference = np.load(DATA / "classifier_before_pooling.npz")
    assert loaded.pooling == "last"
    assert loaded.scale_inputs is False
    np.testing.assert_allclose(loaded.predict_proba(reference["X"]), reference["proba"], rtol=1e-6)


def test_classifier_file_from_before_two_convolutions_loads_unchanged():
    # Written by skrnn 0.1.0 when the front end was one convolution whatever its stride:
    # LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0) on 30 random walks of 200
    # steps (conv_stride_ 4), 3 of them front-padded by 50 steps; the .npz holds X and the
    # probabilities then.
    loaded = load(DATA / "classifier_one_convolution.safetensors")
    reference = np.load(DATA / "classifier_one_convolution.npz")
    assert loaded.conv_layers == 1
    assert loaded.scale_inputs is False
    assert not hasattr(loaded.net_.module_, "conv_in")
    np.testing.assert_allclose(loaded.predict_proba(reference["X"]), reference["proba"], rtol=1e-6)


def test_classifier_pickled_before_pooling_reads_its_final_state():
    X = np.random.default_rng(0).normal(size=(30, 5, 1))
    clf = LSTMClassifier(
        hidden_size=3, max_epochs=2, pooling="last", scale_inputs=False, random_state=0
    )
    clf.fit(X, np.arange(30) % 2)
    state = clf.__getstate__()
    for key in ("pooling", "pooling_", "conv_layers", "scale_inputs"):
        del state[key]  # as pickled before them
    del state["feature_center_"], state["feature_scale_"]
    old = LSTMClassifier.__new__(LSTMClassifier)
    old.__setstate__(state)
    assert old.get_params()["pooling"] == "last"
    assert old.get_params()["conv_layers"] == 1
    assert old.get_params()["scale_inputs"] is False
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))


def test_quantile_file_from_before_volatility_scaling_loads_unchanged():
    # Written by skrnn 0.1.0 when a quantile network's start added fixed offsets to the
    # skip (no volatility scaling): make_pipeline(StandardScaler(), SlidingWindow(6),
    # LSTMRegressor(loss="quantile", quantile=(0.1, 0.5, 0.9), hidden_size=3, max_epochs=3,
    # early_stopping=False, random_state=0)) on a random walk of 300 steps; the .npz holds
    # X and the quantiles then.
    loaded = load(DATA / "quantile_fixed_offsets.safetensors")
    reference = np.load(DATA / "quantile_fixed_offsets.npz")
    est = loaded[-1]
    assert est.start_offsets_.shape == (1, 3)
    assert not hasattr(est.net_.module_, "skip_spread")
    windows = loaded[:-1].transform(reference["X"])
    np.testing.assert_allclose(
        est.predict_quantiles(windows), reference["quantiles"], rtol=1e-6, atol=1e-6
    )


def test_regressor_pickled_before_loss_auto_keeps_its_loss():
    X, y = _supervised()
    windows = SlidingWindow(window=4).fit_transform(X)
    model = LSTMRegressor(**TINY).fit(windows, y)
    state = model.__getstate__()
    del state["loss_"]  # as pickled before loss="auto": its loss was the one used
    state["loss"] = "squared_error"
    old = LSTMRegressor.__new__(LSTMRegressor)
    old.__setstate__(state)
    assert old.loss_ == "squared_error"
    np.testing.assert_array_equal(old.predict(windows), model.predict(windows))


def test_regressor_pickled_before_scale_inputs_reads_unscaled_inputs():
    rng = np.random.default_rng(0)
    y = np.exp(rng.normal(0, 0.02, 200).cumsum()) * 50  # positive: log-scaled windows
    X, y = make_supervised(pd.DataFrame({"y": y}), target="y")
    windows = SlidingWindow(window=4).fit_transform(X)
    model = LSTMRegressor(scale_inputs=False, **TINY).fit(windows, y)
    assert model.window_scaling_ is not None
    state = model.__getstate__()
    del state["input_scale_"], state["scale_inputs"]  # as pickled before scale_inputs
    old = LSTMRegressor.__new__(LSTMRegressor)
    old.__setstate__(state)
    assert old.scale_inputs is False
    assert old.input_scale_ is None
    np.testing.assert_array_equal(old.predict(windows), model.predict(windows))
    # Refitting keeps what the model was fitted with: no scaling.
    assert old.fit(windows, y).input_scale_ is None


def test_saving_into_a_missing_directory_names_the_path(tmp_path):
    model = PersistenceRegressor().fit(np.arange(10.0)[:, None], np.arange(1.0, 11.0))
    path = tmp_path / "no" / "model.skrnn"
    with pytest.raises(FileNotFoundError, match=r"model\.skrnn.*does not exist"):
        save(model, path)
    assert not (tmp_path / "no").exists()


def test_write_replacing_keeps_links_and_writes_utf8(tmp_path):
    from skrnn._io import write_replacing

    target = tmp_path / "forecasts-2024.csv"
    target.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    write_replacing(link, lambda file: file.write("store\nZürich,東京\n"), mode="w")
    assert link.is_symlink()  # still a link, to the file now written
    assert target.read_bytes() == "store\nZürich,東京\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecasts-2024.csv", "latest.csv"]

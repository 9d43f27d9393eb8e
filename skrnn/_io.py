"""Model files that are safe to load: :func:`save` and :func:`load`.

A pickle (and so a joblib file, or a ``torch.save`` checkpoint) runs code when it is loaded:
opening one from an untrusted source is opening a program. The files written here hold only
data: one `safetensors <https://huggingface.co/docs/safetensors>`_ file whose tensors are the
arrays (network weights, scaler statistics, the skip connection, ...) and whose header
metadata is a JSON description of the estimators. Loading parses that JSON, looks every class
up in a fixed allow-list (nothing named in the file is ever imported), rebuilds the
estimators from their parameters and fitted attributes, and rebuilds skrnn's networks from
those plus their weights. A SHA-256 digest over the JSON and every tensor is checked first,
so a file that was truncated or modified is refused.
"""

import dataclasses
import hashlib
import json
import math
import os
import re
import struct
import uuid

import numpy as np
import safetensors.numpy
import sklearn
import torch
from sklearn.base import BaseEstimator
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    LabelEncoder,
    MaxAbsScaler,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from ._base import BaseRecurrent, _seeded_torch, fill_added_attributes
from ._baseline import PersistenceMap, PersistenceRegressor
from ._classifier import GRUClassifier, LSTMClassifier, RNNClassifier
from ._device import resolve_device
from ._regressor import GRURegressor, LSTMRegressor, RNNRegressor
from ._scaling import WindowScaling
from ._skip import LinearSkip, pack_per_step_maps, skip_lengths
from ._warnings import warn
from ._window import SlidingWindow

__all__ = ["load", "save"]

FORMAT = "skrnn"
# 2: the linear skip keeps maps for 1, 2, 4, ... steps and the full window (memory linear in
# the window); 1 kept one per number of real steps, and is converted on loading.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

_JOBLIB_HINT = (
    "joblib.dump / joblib.load store any estimator, but load only files you trust: "
    "loading a joblib file can run arbitrary code"
)


def _public_name(cls):
    """The name a class is stored under: where users import it from."""
    module = cls.__module__
    if module.startswith("skrnn."):
        module = "skrnn"
    elif module.startswith("sklearn."):
        module = ".".join(module.split(".")[:2])
    return f"{module}.{cls.__qualname__}"


def _allowed_estimators():
    classes = [
        RNNRegressor,
        LSTMRegressor,
        GRURegressor,
        PersistenceRegressor,
        SlidingWindow,
        StandardScaler,
        MinMaxScaler,
        RobustScaler,
        MaxAbsScaler,
        SimpleImputer,
        MissingIndicator,
        LabelEncoder,
        RNNClassifier,
        LSTMClassifier,
        GRUClassifier,
    ]
    return {_public_name(cls): cls for cls in classes}


_ESTIMATORS = _allowed_estimators()
_PIPELINE = _public_name(Pipeline)
_DATACLASSES = {_public_name(cls): cls for cls in (PersistenceMap, LinearSkip, WindowScaling)}
_ARRAY_KINDS = "biuf"  # stored as tensors; str and object arrays go to the JSON
_SCALAR_TYPES = (type(None), bool, int, float, str)


# -- public API --------------------------------------------------------------------------
def save(estimator, path):
    """Save a fitted estimator or pipeline to a file that is safe to load.

    The file is a `safetensors` file: the arrays are tensors and a JSON description of the
    estimators is in its header metadata. Loading it with :func:`load` never unpickles
    anything, so, unlike a joblib or pickle file, a model file from an untrusted source
    cannot run code when it is loaded.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A fitted estimator. Supported: skrnn's recurrent regressors and classifiers,
        :class:`~skrnn.PersistenceRegressor`, :class:`~skrnn.SlidingWindow`, scikit-learn's
        ``StandardScaler``, ``MinMaxScaler``, ``RobustScaler``, ``MaxAbsScaler`` and
        ``SimpleImputer``, and :class:`~sklearn.pipeline.Pipeline` objects (nested or
        not) of these. Their parameters must be plain values: ``callbacks`` and a
        ``RandomState`` instance as ``random_state`` cannot be stored.

    path : str or path-like
        Where to write. The file is written next to its destination first and then moved
        into place, so an interrupted save never leaves a partial file behind.

    Raises
    ------
    TypeError
        If the estimator, a pipeline step, or one of their parameters or fitted attributes
        cannot be stored; the message names it.
    sklearn.exceptions.NotFittedError
        If the estimator or a step of the pipeline is not fitted: a saved model is a
        fitted one (an unfitted estimator is only its parameters: ``get_params``).

    See Also
    --------
    load : Load a model saved by this function.

    Notes
    -----
    What is stored: every estimator's parameters (``get_params(deep=False)``) and fitted
    attributes, the weights and buffers of skrnn's networks, and the per-epoch training
    history (``history_``) of each network; the per-batch records of the history and the
    optimizer's internal state are not stored. A loaded network predicts exactly what the
    saved one did; refitting it with ``warm_start=True`` continues from its weights with a
    fresh optimizer.

    The file also records the versions of skrnn, PyTorch and scikit-learn that wrote it.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrnn import LSTMRegressor, SlidingWindow, make_supervised
    >>> from skrnn import load, save
    >>> X, y = make_supervised(np.sin(np.arange(100) / 5).reshape(-1, 1), target=0)
    >>> model = make_pipeline(StandardScaler(), SlidingWindow(window=5),
    ...                       LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0))
    >>> model = model.fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save(model, path)
    >>> loaded = load(path)
    >>> bool(np.array_equal(loaded.predict(X), model.predict(X)))
    True
    """
    encoder = _Encoder()
    config = {
        "estimator": encoder.estimator(estimator, prefix="", where="the estimator"),
        "versions": _versions(),
    }
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "config": json.dumps(config, sort_keys=True, separators=(",", ":"), allow_nan=False),
    }
    metadata["sha256"] = _digest(metadata, encoder.tensors)
    data = safetensors.numpy.save(encoder.tensors, metadata=metadata)

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot save to {path!r}: directory {directory!r} does not exist.")
    write_replacing(path, lambda file: file.write(data))


def write_replacing(path, write, mode="wb"):
    """Call ``write(file)`` on a new file next to `path`, then move it onto `path`: a
    write that fails (a full disk, an error while writing) leaves what was at `path` as it
    was, never half a file."""
    options = {} if "b" in mode else {"newline": "", "encoding": "utf-8"}
    path = os.path.realpath(path)  # a symbolic link keeps pointing at the file written
    if os.path.exists(path) and not os.path.isfile(path):  # a device, a pipe: write to it
        with open(path, mode, **options) as file:
            write(file)
        return
    directory = os.path.dirname(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex}")
    try:
        with open(tmp, mode, **options) as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load(path, *, device="cpu"):
    """Load a model saved by :func:`save`, without unpickling anything.

    Parameters
    ----------
    path : str or path-like
        The file.

    device : str, torch.device or None, default="cpu"
        Device for skrnn's networks: it replaces their saved ``device`` parameter, so a
        model trained on a GPU loads on a machine without one. None keeps the saved
        parameter.

    Returns
    -------
    estimator : estimator or Pipeline
        The fitted estimator or pipeline, predicting exactly what the saved one did.

    Raises
    ------
    ValueError
        If the file is not a skrnn model file, was truncated or modified after it was
        written (its SHA-256 digest does not match), or was written in a newer format.

    Warns
    -----
    UserWarning
        If the file was written under a different major version of skrnn, PyTorch or
        scikit-learn than the one loading it.

    See Also
    --------
    save : Save a fitted estimator or pipeline.

    Notes
    -----
    Only the classes :func:`save` supports can be loaded; the file names them and they are
    looked up in a fixed list, so a file cannot make this function import or call
    anything else. The check of the digest detects accidental and deliberate changes to a
    file, but anyone can write a well-formed file: it guarantees what the file *is* (data
    only), not who wrote it.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skrnn import PersistenceRegressor
    >>> from skrnn import load, save
    >>> model = PersistenceRegressor().fit(np.array([[1.0], [2.0], [3.0]]), [2.0, 3.0, 4.0])
    >>> path = os.path.join(tempfile.mkdtemp(), "persistence.safetensors")
    >>> save(model, path)
    >>> load(path).predict(np.array([[10.0]]))
    array([10.])
    """
    with open(os.fspath(path), "rb") as file:
        data = file.read()
    metadata = _read_metadata(data)
    try:
        tensors = safetensors.numpy.load(data)
    except Exception as exc:  # SafetensorError and friends: a damaged file
        raise ValueError(
            f"{os.fspath(path)!r} is damaged (truncated or modified): its tensors cannot be "
            f"read ({exc})."
        ) from None
    if metadata.get("sha256") != _digest(metadata, tensors):
        raise ValueError(
            f"{os.fspath(path)!r} was modified or damaged after it was written: its SHA-256 "
            "digest does not match its contents. Refusing to load it."
        )
    try:
        config = json.loads(metadata["config"])
        versions = config["versions"]
        spec = config["estimator"]
    except (KeyError, TypeError, ValueError, RecursionError):
        raise ValueError(f"{os.fspath(path)!r} has no valid model description.") from None
    _check_versions(versions)
    decoder = _Decoder(tensors, device, int(metadata["format_version"]))
    estimator = decoder.estimator(spec)
    if decoder.converted_skip:
        warn(
            f"{os.fspath(path)!r} is in model format version 1, whose linear skip kept a map "
            "for every number of real steps. Full windows forecast as before; a front-padded "
            "window now uses the map of its last 1, 2, 4, 8, ... steps, as a model fitted "
            "now does, so its forecast can change. skrnn.save writes the current format.",
            UserWarning,
        )
    return estimator


# -- the file ----------------------------------------------------------------------------
def _read_metadata(data):
    """The header metadata of a safetensors file in bytes; ValueError unless it is ours."""
    if len(data) < 8:
        raise ValueError("Not a skrnn model file: it is empty or truncated.")
    (header_size,) = struct.unpack("<Q", data[:8])
    if header_size > len(data) - 8:
        raise ValueError("Not a skrnn model file, or a truncated one: its header is cut off.")
    try:
        header = json.loads(data[8 : 8 + header_size].decode("utf-8"))
        metadata = header["__metadata__"]
        if metadata.get("format") != FORMAT:
            raise KeyError
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ValueError(
            "Not a skrnn model file (no skrnn metadata in its header); it may be damaged. "
            "Model files are written by skrnn.save."
        ) from None
    version = metadata.get("format_version")
    if version not in [str(v) for v in READABLE_VERSIONS]:
        raise ValueError(
            f"The file is in skrnn model format version {version!r}; this version of skrnn "
            f"reads versions {', '.join(map(str, READABLE_VERSIONS))}. Load it with the "
            "skrnn version that wrote it (or a newer one)."
        )
    return metadata


def _digest(metadata, tensors):
    """SHA-256 over the metadata (but the digest itself) and every tensor, in name order."""
    sha = hashlib.sha256()
    fields = {key: value for key, value in metadata.items() if key != "sha256"}
    sha.update(json.dumps(fields, sort_keys=True).encode("utf-8"))
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        description = [name, array.dtype.str, list(array.shape), array.nbytes]
        sha.update(b"\0" + json.dumps(description).encode("utf-8") + b"\0")
        sha.update(array.tobytes())
    return sha.hexdigest()


def _versions():
    return {"skrnn": _skrnn_version(), "torch": torch.__version__, "sklearn": sklearn.__version__}


def _skrnn_version():
    from . import __version__

    return __version__


def _major(version):
    match = re.match(r"\d+", str(version))
    return match.group() if match else str(version)


def _check_versions(saved):
    if not isinstance(saved, dict):
        raise ValueError("The file has no valid version record.")
    current = _versions()
    differ = [
        f"{name} {saved.get(name)} (now {version})"
        for name, version in current.items()
        if _major(saved.get(name)) != _major(version)
    ]
    if differ:
        warn(
            "The model file was written under another major version of "
            + ", ".join(differ)
            + ". It may load but predict differently; refit the model if you can.",
            UserWarning,
        )


# -- writing -----------------------------------------------------------------------------
class _Encoder:
    """Estimators -> JSON-able description; arrays go to ``self.tensors`` under a name."""

    def __init__(self):
        self.tensors = {}

    def estimator(self, estimator, *, prefix, where):
        if isinstance(estimator, str) or estimator is None:  # "passthrough" / None steps
            return {"step": estimator}
        cls = type(estimator)
        name = _public_name(cls)
        if cls is Pipeline:
            return self._pipeline(estimator, prefix=prefix, where=where)
        if _ESTIMATORS.get(name) is not cls:
            supported = ", ".join(sorted({*_ESTIMATORS, _PIPELINE}))
            hint = ""
            if hasattr(estimator, "best_estimator_"):
                hint = " To keep the best model of a search, save its best_estimator_."
            raise TypeError(
                f"Cannot save {where}: {name} is not supported by skrnn.save, which stores "
                f"only these classes (by their data, never by pickling): {supported}.{hint} "
                f"{_JOBLIB_HINT}."
            )
        check_is_fitted(estimator)
        params = estimator.get_params(deep=False)
        if params.get("callbacks"):
            raise TypeError(
                f"Cannot save {where} ({name}): its callbacks parameter holds Python objects, "
                "which a data-only file cannot store. They only act during training: "
                "set_params(callbacks=None) before saving, or use joblib ("
                f"{_JOBLIB_HINT})."
            )
        spec = {
            "class": name,
            "params": self._mapping(params, prefix=prefix, where=f"{where} ({name}) parameter"),
        }
        attributes = {
            key: value
            for key, value in vars(estimator).items()
            if key not in params and key != "net_"
        }
        spec["attributes"] = self._mapping(
            attributes, prefix=prefix, where=f"{where} ({name}) fitted attribute"
        )
        if isinstance(estimator, BaseRecurrent):
            spec["network"] = self._network(estimator.net_, prefix=f"{prefix}net_.")
        return spec

    def _pipeline(self, pipeline, *, prefix, where):
        params = pipeline.get_params(deep=False)
        steps = []
        for name, step in params.pop("steps"):
            step_where = f"step {name!r} of {where}" if prefix else f"pipeline step {name!r}"
            steps.append([name, self.estimator(step, prefix=f"{prefix}{name}.", where=step_where)])
        return {
            "class": _PIPELINE,
            "params": self._mapping(params, prefix=prefix, where=f"{where} (Pipeline) parameter"),
            "steps": steps,
        }

    def _network(self, net, *, prefix):
        state = {
            key: self.value(
                tensor.detach().cpu().numpy(), name=f"{prefix}{key}", where="network weight"
            )
            for key, tensor in net.module_.state_dict().items()
        }
        return {"state_dict": state, "history": _plain_history(net.history)}

    def _mapping(self, mapping, *, prefix, where):
        return {
            key: self.value(value, name=f"{prefix}{key}", where=f"{where} {key!r}")
            for key, value in mapping.items()
        }

    def value(self, value, *, name, where):
        """One parameter or attribute value -> JSON; arrays become tensors called `name`."""
        if isinstance(value, np.generic) and value.dtype.kind in _ARRAY_KINDS:
            item = self.value(value.item(), name=name, where=where)
            return {"__scalar__": value.dtype.str, "value": item}
        if isinstance(value, float) and not math.isfinite(value):
            return {"__float__": repr(value)}
        if isinstance(value, _SCALAR_TYPES):
            return value
        if isinstance(value, np.ndarray):
            return self._array(value, name=name, where=where)
        if isinstance(value, np.dtype) and value.fields is None and value.subdtype is None:
            return {"__dtype__": value.str}
        if isinstance(value, torch.device):
            return {"__device__": str(value)}
        if isinstance(value, (list, tuple)):
            items = [
                self.value(item, name=f"{name}.{i}", where=where) for i, item in enumerate(value)
            ]
            return items if isinstance(value, list) else {"__tuple__": items}
        if type(value) is dict and all(isinstance(key, str) for key in value):
            return {
                "__dict__": {
                    key: self.value(item, name=f"{name}.{key}", where=where)
                    for key, item in value.items()
                }
            }
        if type(value) is dict:  # other keys, e.g. class labels in class_weight
            items = [
                [
                    self.value(key, name=f"{name}.key{i}", where=where),
                    self.value(item, name=f"{name}.{i}", where=where),
                ]
                for i, (key, item) in enumerate(value.items())
            ]
            if all(isinstance(key, _SCALAR_TYPES) or _is_scalar_tag(key) for key, _ in items):
                return {"__items__": items}
        if dataclasses.is_dataclass(value) and _public_name(type(value)) in _DATACLASSES:
            fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
            return {
                "__dataclass__": _public_name(type(value)),
                "fields": self._mapping(fields, prefix=f"{name}.", where=where),
            }
        if isinstance(value, BaseEstimator) and _ESTIMATORS.get(_public_name(type(value))):
            return {"__estimator__": self.estimator(value, prefix=f"{name}.", where=where)}
        raise TypeError(
            f"Cannot save {where}: it is a {type(value).__module__}."
            f"{type(value).__qualname__}, which a data-only model file cannot store (plain "
            f"numbers, strings, arrays and supported estimators only). {_JOBLIB_HINT}."
        )

    def _array(self, array, *, name, where):
        if array.dtype.kind in _ARRAY_KINDS:
            array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))
            self.tensors[name] = array
            return {"__tensor__": name}
        if array.dtype.kind in "OU":
            items = [self.value(item, name=name, where=where) for item in array.ravel().tolist()]
            if all(isinstance(item, _SCALAR_TYPES) or _is_scalar_tag(item) for item in items):
                return {"__array__": items, "dtype": array.dtype.str, "shape": list(array.shape)}
        raise TypeError(
            f"Cannot save {where}: an array of dtype {array.dtype} is not storable (numeric, "
            f"boolean and string arrays are). {_JOBLIB_HINT}."
        )


def _is_scalar_tag(item):
    return isinstance(item, dict) and next(iter(item)) in ("__float__", "__scalar__")


def _plain_history(history):
    """Per-epoch history records as JSON values; per-batch records are dropped."""
    epochs = []
    for record in history:
        plain = {}
        for key, value in record.items():
            if key == "batches":
                continue
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                plain[key] = {"__float__": repr(value)}
            elif isinstance(value, _SCALAR_TYPES):
                plain[key] = value
            elif isinstance(value, (list, tuple)) and all(
                isinstance(item, _SCALAR_TYPES) and item == item for item in value
            ):
                plain[key] = list(value)
        epochs.append(plain)
    return epochs


# -- reading -----------------------------------------------------------------------------
class _Decoder:
    """The inverse of :class:`_Encoder`, for descriptions that passed the digest check."""

    def __init__(self, tensors, device, version=FORMAT_VERSION):
        self.tensors = tensors
        self.device = device
        self.version = version
        self.converted_skip = False  # a version-1 skip with maps that were dropped

    def estimator(self, spec):
        try:
            return self._estimator(spec)
        # RuntimeError: torch refusing a value (a device name); RecursionError: nesting
        # deeper than any model's.
        except (
            KeyError,
            IndexError,
            TypeError,
            AttributeError,
            RuntimeError,
            RecursionError,
        ) as exc:
            raise ValueError(
                f"The model file's description is not valid: {repr(exc)[:200]}."
            ) from None

    def _estimator(self, spec):
        if "step" in spec:
            step = spec["step"]
            if step is None or step == "passthrough":
                return step
            raise ValueError(f"Unknown pipeline step {step!r} in the model file.")
        name = spec["class"]
        params = self._mapping(spec["params"])
        if name == _PIPELINE:
            steps = [(step_name, self._estimator(step)) for step_name, step in spec["steps"]]
            return Pipeline(steps, **params)
        cls = _ESTIMATORS.get(name)
        if cls is None:
            raise ValueError(
                f"The model file contains a {name}, which skrnn.load does not load "
                "(it loads only the classes skrnn.save writes)."
            )
        if issubclass(cls, BaseRecurrent) and self.device is not None:
            params["device"] = str(self.device)
        for key, value in getattr(cls, "_added_params", {}).items():
            params.setdefault(key, value)
        estimator = cls(**params)
        for key, value in self._mapping(spec["attributes"]).items():
            if not key.isidentifier() or key.startswith("__") or key in params:
                raise ValueError(f"Invalid attribute name {key!r} in the model file.")
            setattr(estimator, key, value)
        if issubclass(cls, BaseRecurrent):
            fill_added_attributes(estimator)
            # The network goes to the device asked for, not the one it was trained on
            # (kept with device=None, where this machine has it; else the ValueError).
            saved = getattr(estimator, "device_", None) or estimator.device
            estimator.device_ = resolve_device(saved if self.device is None else self.device)
            estimator.net_ = self._network(estimator, spec["network"])
        return estimator

    def _network(self, estimator, spec):
        net = estimator._build_net()
        with _seeded_torch(0, net.device):  # initialize() draws random weights: no side effects
            net.initialize()
        state = {key: np.asarray(self.value(value)) for key, value in spec["state_dict"].items()}
        if self.version == 1 and state.get("skip_weight", np.zeros(0)).ndim == 4:
            window = state["skip_weight"].shape[0]
            state["skip_weight"], state["skip_bias"] = pack_per_step_maps(
                state["skip_weight"], state["skip_bias"]
            )
            self.converted_skip |= len(skip_lengths(window)) < window
        state = {key: torch.from_numpy(value) for key, value in state.items()}
        try:
            net.module_.load_state_dict(state)
        except RuntimeError as exc:
            raise ValueError(f"The network weights in the model file do not fit: {exc}") from None
        net.history = History(
            [{**self._mapping(epoch), "batches": []} for epoch in spec["history"]]
        )
        return net

    def _mapping(self, mapping):
        if not isinstance(mapping, dict):
            raise TypeError(f"expected a mapping, got {type(mapping).__name__}")
        return {str(key): self.value(value) for key, value in mapping.items()}

    def value(self, value):
        if isinstance(value, _SCALAR_TYPES):
            return value
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if not isinstance(value, dict) or len(value) == 0:
            raise TypeError(f"unexpected value {value!r}")
        tag = next(iter(value))
        if tag == "__float__":
            return float(value[tag])  # "nan", "inf", "-inf"
        if tag == "__tensor__":
            return self.tensors[value[tag]].copy()
        if tag == "__scalar__":
            return _dtype(value[tag]).type(self.value(value["value"]))
        if tag == "__array__":
            dtype = _dtype(value["dtype"])
            items = [self.value(item) for item in value[tag]]
            array = np.empty(len(items), dtype=dtype)
            array[:] = items
            return array.reshape(value["shape"])
        if tag == "__dtype__":
            return _dtype(value[tag])
        if tag == "__device__":
            return torch.device(value[tag])
        if tag == "__tuple__":
            return tuple(self.value(item) for item in value[tag])
        if tag == "__dict__":
            return self._mapping(value[tag])
        if tag == "__items__":
            return {self.value(key): self.value(item) for key, item in value[tag]}
        if tag == "__dataclass__":
            cls = _DATACLASSES[value[tag]]
            fields = self._mapping(value["fields"])
            if cls is LinearSkip and self.version == 1:
                weight = fields["weight"]
                fields["weight"], fields["bias"] = pack_per_step_maps(weight, fields["bias"])
                fields["window"] = weight.shape[0]
            return cls(**fields)
        if tag == "__estimator__":
            return self._estimator(value[tag])
        raise TypeError(f"unknown value tag {tag!r}")


def _dtype(text):
    """A plain numpy dtype from its ``str`` (never a structured or object-holding one)."""
    dtype = np.dtype(str(text))
    if dtype.kind not in _ARRAY_KINDS + "OU" or dtype.fields is not None:
        raise TypeError(f"unsupported dtype {text!r}")
    return dtype

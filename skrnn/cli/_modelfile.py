"""Model files: what ``skrnn train`` writes, and what ``evaluate`` and ``predict`` read.

A ``.joblib`` (or ``.pkl``, ``.pickle``) file holds the fitted pipeline with what it was
trained for (target, input columns, horizon, hold-out fraction); any other name is skrnn's
data-only format (:func:`skrnn.save`), which holds the pipeline alone. A bare fitted
pipeline saved either way in Python works too, given ``--target``.
"""

from pathlib import Path

import joblib
from sklearn.base import is_classifier

import skrnn

from ._output import write_output
from ._text import one_line

FORMAT = "skrnn-cli-model"
_JOBLIB_SUFFIXES = (".joblib", ".pkl", ".pickle")


def is_joblib(path):
    return Path(path).suffix.lower() in _JOBLIB_SUFFIXES


def save_model(model, path, **info):
    """Save `model` to `path`: with `info` in a joblib file, else the pipeline alone.

    Returns whether `info` was stored.
    """
    if is_joblib(path):
        content = {"format": FORMAT, "model": model, **info}
        write_output(path, "--out", lambda file: joblib.dump(content, file), mode="wb")
        return True
    skrnn.save(model, path)
    return False


def load_model(path):
    """The fitted model and what it was trained for (target, features, ...) from a file.

    A joblib file written by ``skrnn train`` holds both. A bare fitted estimator or
    Pipeline (:func:`skrnn.save`, or ``joblib.dump(model, path)``) works too; its features
    are its ``feature_names_in_`` and ``--target`` must be given.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--model {path}: no such file")
    if not is_joblib(path):
        try:
            content = skrnn.load(path)
        except ValueError as exc:
            raise ValueError(f"--model {path}: {one_line(exc)}") from None
    else:
        content = _unpickle(path)
    if isinstance(content, dict) and content.get("format") == FORMAT:
        info = dict(content)
        model = info.pop("model")
        info.setdefault("group", model_group(model))  # files written before --group
        return model, info
    if not hasattr(content, "predict"):
        raise ValueError(
            f"--model {path} holds a {type(content).__name__}, not a model: pass a file written "
            "by 'skrnn train' or saved by skrnn.save."
        )
    features = getattr(content, "feature_names_in_", None)
    if features is None:
        raise ValueError(
            f"--model {path} does not record its input columns (fit it on a DataFrame, or "
            "train it with 'skrnn train')."
        )
    final = content[-1] if hasattr(content, "steps") else content
    if is_classifier(final):
        raise ValueError(
            f"--model {path} holds a classifier ({type(final).__name__}); the commands "
            "forecast numbers: pass a regressor."
        )
    group = model_group(content)
    info = {
        "target": None,
        "features": [name for name in features if name != group],
        "horizon": int(getattr(final, "n_outputs_", 1)),
        "test_size": None,
        "group": group,
    }
    return content, info


def model_group(model):
    """The column of series ids a model's SlidingWindow reads (many series), or None."""
    for step in getattr(model, "steps", [(None, model)]):
        group = getattr(step[1], "group", None)
        if isinstance(step[1], skrnn.SlidingWindow) and group is not None:
            return group
    return None


def _unpickle(path):
    """joblib.load, with what went wrong said in the user's terms."""
    redo = (
        "retrain it with 'skrnn train DATA --target COLUMN --out MODEL', or pass a file saved "
        "by skrnn.save"
    )
    try:
        return joblib.load(path)
    except ImportError as exc:  # a real pickle of something this environment lacks
        module = "a Python module" if exc.name is None else f"the Python module {exc.name!r}"
        raise ValueError(
            f"--model {path} needs {module}, which is not installed: install it, or {redo}."
        ) from None
    except Exception:  # unpickling fails in many ways on a file that is no model
        raise ValueError(
            f"--model {path} is not a model file written by joblib or 'skrnn train' (it could "
            f"not be unpickled); {redo}."
        ) from None

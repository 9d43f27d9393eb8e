"""The ``skrnn`` commands that train and use one model (train, evaluate, predict): the
round trip, the files they write, and every way the input can be wrong (one line on stderr,
a non-zero status, no traceback)."""

import io
import shutil
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline

import skrnn
from skrnn import (
    LSTMClassifier,
    LSTMRegressor,
    PersistenceRegressor,
    RNNRegressor,
    SlidingWindow,
)
from skrnn.cli import main
from skrnn.datasets import load_stock

# Small, fast settings for every command that trains.
TINY = ["--epochs", "2", "--hidden-size", "4", "--window", "5", "--quiet"]
N_ROWS = 300


@pytest.fixture(scope="module")
def prices():
    return load_stock("IBM").iloc[-N_ROWS:]


@pytest.fixture(scope="module")
def csv_path(prices, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "ibm.csv"
    prices.to_csv(path)
    return path


@pytest.fixture(scope="module")
def model_path(csv_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    assert main(["train", str(csv_path), "--target", "Close", "--out", str(path), *TINY]) == 0
    return path


@pytest.fixture(scope="module")
def quantile_model_path(csv_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "quantiles.joblib"
    argv = ["train", csv_path, "--target", "Close", "--out", path, "--interval", "0.8", "0.95"]
    assert main([str(arg) for arg in [*argv, *TINY]]) == 0
    return path


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status, err, *fragments, expected_status=1):
    assert status == expected_status
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def holdout(prices, test_size=0.3, horizon=1):
    """Independent reference: rows of the hold-out and their next closes."""
    close = prices["Close"].to_numpy()
    n_rows = len(prices) - horizon
    test_start = n_rows - int(np.ceil(test_size * n_rows))
    y_test = np.column_stack(
        [close[test_start + step : n_rows + step] for step in range(1, horizon + 1)]
    )
    return test_start, close[test_start:n_rows], y_test


def read_predictions(path):
    return pd.read_csv(path, parse_dates=["origin", "target_date"])


# -- train, evaluate, predict -----------------------------------------------------------------
def test_train_saves_a_fitted_pipeline_and_what_it_was_trained_for(model_path, prices, capsys):
    bundle = joblib.load(model_path)
    model = bundle["model"]
    assert [name for name, _ in model.steps] == ["scale", "window", "model"]
    assert isinstance(model[-1], LSTMRegressor)
    assert model[-1].get_params()["hidden_size"] == 4
    assert model[-1].max_epochs == 2
    assert model["window"].window == 5
    assert (bundle["target"], bundle["horizon"], bundle["test_size"]) == ("Close", 1, 0.3)
    assert bundle["features"] == ["Open", "High", "Low", "Close", "Volume"]
    # Fitted on the training rows only: the scaler saw none of the hold-out.
    test_start, _, _ = holdout(prices)
    assert model["scale"].n_samples_seen_ == test_start
    np.testing.assert_allclose(
        model["scale"].mean_, prices.iloc[:test_start].mean().to_numpy(), rtol=1e-12
    )
    # The progress bar is no part of the saved model.
    assert model[-1].callbacks is None


def test_train_prints_a_summary(csv_path, tmp_path, capsys):
    out_path = tmp_path / "m.joblib"
    status, out, err = run(capsys, "train", csv_path, "--target", "Close", "--out", out_path, *TINY)
    assert status == 0
    assert "Trained LSTMRegressor on 209 rows" in out
    assert f"skrnn evaluate {csv_path} --model {out_path}" in out
    # No progress bar when stderr is not a terminal; warnings of the fit are one line each.
    assert all(line.startswith("skrnn: warning: ") for line in err.splitlines()), err


def test_evaluate_reports_model_and_persistence_on_the_hold_out(
    model_path, csv_path, prices, capsys
):
    status, out, err = run(capsys, "evaluate", csv_path, "--model", model_path)
    assert status == 0, err
    test_start, last_close, y_test = holdout(prices)
    assert f"the last {len(y_test)} rows" in out
    header, model_row, persistence_row = out.strip().splitlines()[1:4]
    assert header.split()[:5] == ["model", "MAE", "RMSE", "MAPE", "%"]
    # Persistence computed independently: the forecast of each next close is today's close.
    persistence_mae = mean_absolute_error(y_test.ravel(), last_close)
    assert persistence_row.split()[0] == "Persistence"
    assert float(persistence_row.split()[1]) == pytest.approx(persistence_mae, abs=1e-4)
    # The model's metrics are those of the saved pipeline, predicting with full history.
    model = joblib.load(model_path)["model"]
    y_pred = model.predict(prices)[test_start : len(prices) - 1]
    assert model_row.split()[0] == "LSTMRegressor"
    assert float(model_row.split()[1]) == pytest.approx(
        mean_absolute_error(y_test.ravel(), y_pred), abs=1e-4
    )
    rmse = np.sqrt(np.mean((y_test.ravel() - y_pred) ** 2))
    assert float(model_row.split()[2]) == pytest.approx(rmse, abs=1e-4)


def test_evaluate_plot(model_path, csv_path, tmp_path, capsys):
    plot = tmp_path / "holdout.png"
    status, out, _ = run(capsys, "evaluate", csv_path, "--model", model_path, "--plot", plot)
    assert status == 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Saved the plot to {plot}" in out


def test_predict_writes_every_forecast_with_its_origin_and_target_date(
    model_path, csv_path, prices, tmp_path, capsys
):
    out_path = tmp_path / "predictions.csv"
    status, out, _ = run(capsys, "predict", csv_path, "--model", model_path, "--out", out_path)
    assert status == 0
    written = read_predictions(out_path)
    assert list(written.columns) == ["origin", "target_date", "step", "Close_forecast"]
    assert (written["step"] == 1).all()
    np.testing.assert_array_equal(written["origin"], prices.index)
    # Each forecast is dated by the day it forecasts: the next row's date, not its own.
    np.testing.assert_array_equal(written["target_date"].iloc[:-1], prices.index[1:])
    assert written["target_date"].iloc[-1] == pd.Timestamp("2013-03-04")  # Friday -> Monday
    model = joblib.load(model_path)["model"]
    np.testing.assert_allclose(written["Close_forecast"], model.predict(prices), rtol=1e-12)
    assert f"Wrote {N_ROWS} forecasts of Close to {out_path}, 1 step ahead" in out
    assert "The forecasts from the last row (2013-03-01) are of the future: 2013-03-04," in out


def test_train_with_interval_saves_a_quantile_network(quantile_model_path):
    network = joblib.load(quantile_model_path)["model"][-1]
    assert network.loss == "quantile"
    assert network.quantiles_ == (0.025, 0.1, 0.5, 0.9, 0.975)


def test_predict_writes_the_interval_bounds(quantile_model_path, csv_path, prices, capsys):
    argv = ["predict", csv_path, "--model", quantile_model_path, "--out", "-"]
    status, out, _ = run(capsys, *argv, "--interval", "0.95", "0.8")
    assert status == 0
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns) == [
        "origin", "target_date", "step", "Close_forecast",
        "Close_lower_95", "Close_upper_95", "Close_lower_80", "Close_upper_80",
    ]  # fmt: skip
    model = joblib.load(quantile_model_path)["model"]
    quantiles = model[-1].predict_quantiles(model[:-1].transform(prices))
    np.testing.assert_allclose(written["Close_lower_95"], quantiles[:, 0], rtol=1e-12)
    np.testing.assert_allclose(written["Close_upper_80"], quantiles[:, 3], rtol=1e-12)
    np.testing.assert_allclose(written["Close_forecast"], quantiles[:, 2], rtol=1e-12)


def test_evaluate_scores_the_intervals(quantile_model_path, csv_path, prices, tmp_path, capsys):
    plot = tmp_path / "holdout.png"
    argv = ["evaluate", csv_path, "--model", quantile_model_path, "--plot", plot]
    status, out, err = run(capsys, *argv, "--interval", "0.8")
    assert status == 0, err
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("model") and "width" in line)
    assert lines[start].split() == ["model", "interval", "coverage", "width", "interval", "score"]
    network_row, persistence_row = (line.split() for line in lines[start + 1 : start + 3])
    assert network_row[:2] == ["LSTMRegressor", "80%"]
    assert persistence_row[:2] == ["Persistence", "80%"]
    # The network's coverage, computed independently from its quantiles on the hold-out.
    test_start, _, y_test = holdout(prices)
    model = joblib.load(quantile_model_path)["model"]
    quantiles = model[-1].predict_quantiles(model[:-1].transform(prices))
    hold_out = quantiles[test_start : len(prices) - 1]
    inside = (hold_out[:, 1] <= y_test[:, 0]) & (y_test[:, 0] <= hold_out[:, 3])
    assert float(network_row[2]) == pytest.approx(inside.mean(), abs=5e-4)
    # Persistence's band: its forecast plus the 10% and 90% quantiles of its training errors.
    close = prices["Close"].to_numpy()
    errors = np.diff(close[: test_start + 1])
    width = np.quantile(errors, 0.9) - np.quantile(errors, 0.1)
    assert float(persistence_row[3]) == pytest.approx(width, abs=5e-4)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_to_stdout(model_path, csv_path, capsys):
    status, out, _ = run(capsys, "predict", csv_path, "--model", model_path, "--out", "-")
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0] == "origin,target_date,step,Close_forecast"
    assert lines[-1].startswith("2013-03-01,2013-03-04,1,")
    assert len(lines) == N_ROWS + 1


def test_predict_dates_of_a_weekly_series(tmp_path, capsys):
    dates = pd.date_range("2020-01-05", periods=80, freq="W-SUN", name="Date")
    sales = pd.DataFrame({"sales": 100 + 10 * np.sin(np.arange(80) / 3)}, index=dates)
    sales.to_csv(tmp_path / "weekly.csv")
    model = tmp_path / "m.joblib"
    argv = ["train", tmp_path / "weekly.csv", "--target", "sales", "--out", model, *TINY]
    assert run(capsys, *argv)[0] == 0
    out_path = tmp_path / "p.csv"
    argv = ["predict", tmp_path / "weekly.csv", "--model", model, "--out", out_path]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    written = read_predictions(out_path)
    assert written["target_date"].iloc[-1] == dates[-1] + pd.Timedelta(days=7)
    assert "at the file's frequency, W-SUN" in out


def test_real_process(csv_path, model_path, tmp_path):
    """The command in its own process: it runs, and an error is one line, no traceback."""
    command = [sys.executable, "-m", "skrnn.cli"]
    result = subprocess.run(
        [*command, "evaluate", str(csv_path), "--model", str(model_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "LSTMRegressor" in result.stdout
    assert "Persistence" in result.stdout
    missing = tmp_path / "nope.csv"
    failed = subprocess.run(
        [*command, "evaluate", str(missing), "--model", str(model_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [f"skrnn evaluate: error: {missing}: no such file"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("--cell rnn --nonlinearity relu", {"nonlinearity": "relu"}),
        ("--cell rnn --num-layers 2 --bidirectional", {"num_layers": 2, "bidirectional": True}),
        ("--cell gru --optimizer sgd --lr 0.01", {"optimizer": "sgd", "lr": 0.01}),
        (
            "--plain --no-early-stopping --seed 3",
            {
                "skip": None,
                "center": False,
                "early_stopping": False,
                "random_state": 3,
                "lr": "auto",
            },
        ),
    ],
)
def test_train_options_reach_the_network(options, expected, csv_path, tmp_path, capsys):
    out_path = tmp_path / "m.joblib"
    argv = ["train", csv_path, "--target", "Close", "--out", out_path, *TINY, *options.split()]
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    network = joblib.load(out_path)["model"][-1]
    assert {key: network.get_params()[key] for key in expected} == expected


def test_features_and_multi_step_horizon(csv_path, prices, tmp_path, capsys):
    out_path = tmp_path / "m.joblib"
    argv = ["train", csv_path, "--target", "Close", "--out", out_path, *TINY]
    status, _, err = run(capsys, *argv, "--features", "Close", "Volume", "--horizon", "3")
    assert status == 0, err
    model = joblib.load(out_path)["model"]
    assert list(model["scale"].feature_names_in_) == ["Close", "Volume"]
    assert model[-1].n_outputs_ == 3
    # The two rows before the hold-out have targets inside it: they are left out of training.
    test_start, last_close, y_test = holdout(prices, horizon=3)
    assert model["scale"].n_samples_seen_ == test_start - 2

    status, out, _ = run(capsys, "evaluate", csv_path, "--model", out_path)
    assert status == 0
    assert "1 to 3 steps ahead" in out
    persistence_row = out.strip().splitlines()[3]
    persistence_mae = mean_absolute_error(y_test, np.repeat(last_close[:, None], 3, axis=1))
    assert float(persistence_row.split()[1]) == pytest.approx(persistence_mae, abs=1e-4)

    status, out, _ = run(
        capsys, "predict", csv_path, "--model", out_path, "--out", tmp_path / "p.csv"
    )
    assert status == 0
    written = read_predictions(tmp_path / "p.csv")
    assert list(written.columns) == ["origin", "target_date", "step", "Close_forecast"]
    assert len(written) == 3 * N_ROWS
    np.testing.assert_array_equal(written["step"], np.tile([1, 2, 3], N_ROWS))
    np.testing.assert_allclose(
        written["Close_forecast"], model.predict(prices[["Close", "Volume"]]).ravel(), rtol=1e-12
    )
    # Row t, step k forecasts row t + k; past the end, business days (IBM trades on weekdays).
    first = written[written["origin"] == prices.index[0]]
    assert list(first["target_date"]) == list(prices.index[1:4])
    last = written[written["origin"] == prices.index[-1]]
    assert prices.index[-1] == pd.Timestamp("2013-03-01")  # a Friday
    assert list(last["target_date"].dt.strftime("%a %Y-%m-%d")) == [
        "Mon 2013-03-04", "Tue 2013-03-05", "Wed 2013-03-06",
    ]  # fmt: skip
    assert "are of the future: 2013-03-04 to 2013-03-06, in business days" in out


def test_round_trip_with_a_data_only_model_file(csv_path, prices, tmp_path, capsys):
    """--out with another suffix than .joblib writes skrnn's data-only format (skrnn.save),
    which stores the pipeline but not the target: evaluate and predict then ask for it."""
    path = tmp_path / "model.skrnn"
    argv = ["train", csv_path, "--target", "Close", "--out", path, *TINY, "--cell", "gru"]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    assert f"skrnn evaluate {csv_path} --model {path} --target Close" in out
    model = skrnn.load(path)
    assert model[-1].get_params()["callbacks"] is None
    status, _, err = run(capsys, "evaluate", csv_path, "--model", path)
    assert_one_line_error(status, err, "pass --target")
    status, out, err = run(capsys, "evaluate", csv_path, "--model", path, "--target", "Close")
    assert status == 0, err
    assert out.splitlines()[2].split()[0] == "GRURegressor"
    out_path = tmp_path / "p.csv"
    argv = ["predict", csv_path, "--model", path, "--target", "Close", "--out", out_path]
    assert run(capsys, *argv)[0] == 0
    written = read_predictions(out_path)
    np.testing.assert_allclose(written["Close_forecast"], model.predict(prices), rtol=1e-12)


def test_evaluate_a_bare_pipeline_needs_the_target(prices, csv_path, tmp_path, capsys):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = skrnn.make_supervised(prices, target="Close")
    model = make_pipeline(StandardScaler(), SlidingWindow(5), PersistenceRegressor()).fit(X, y)
    joblib.dump(model, tmp_path / "bare.joblib")
    status, _, err = run(capsys, "evaluate", csv_path, "--model", tmp_path / "bare.joblib")
    assert_one_line_error(status, err, "pass --target")
    status, out, err = run(
        capsys, "evaluate", csv_path, "--model", tmp_path / "bare.joblib", "--target", "Close"
    )
    assert status == 0, err
    model_row, persistence_row = out.strip().splitlines()[2:4]
    assert model_row.split()[1] == persistence_row.split()[1]  # it is persistence


# -- errors: one line on stderr, status 1 -----------------------------------------------------
@pytest.fixture(scope="module")
def bad_csvs(prices, tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    files = {}
    text = prices.assign(Ticker="IBM")
    text.to_csv(files.setdefault("text", root / "text.csv"))
    holes = prices.copy()
    holes.iloc[10, holes.columns.get_loc("Volume")] = np.nan
    holes.to_csv(files.setdefault("holes", root / "holes.csv"))
    infinite = prices.copy()
    infinite.iloc[20, infinite.columns.get_loc("Close")] = np.inf
    infinite.to_csv(files.setdefault("infinite", root / "infinite.csv"))
    prices.reset_index(drop=True).to_csv(files.setdefault("no_date", root / "no_date.csv"))
    pd.concat([prices, prices]).to_csv(files.setdefault("repeated", root / "repeated.csv"))
    prices.iloc[:12].to_csv(files.setdefault("short", root / "short.csv"))
    prices.assign(Date="yesterday").to_csv(
        files.setdefault("bad_dates", root / "bad_dates.csv"), index=False
    )
    (files.setdefault("empty", root / "empty.csv")).write_text("")
    (files.setdefault("garbage", root / "garbage.joblib")).write_bytes(b"not a model")
    (files.setdefault("garbage_skrnn", root / "garbage.skrnn")).write_bytes(b"not a model")
    return files


TRAIN = "train {csv} --target Close --out {out}"


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        ("train {missing} --target Close --out {out}", ["{missing}: no such file"]),
        ("train {csv} --target close --out {out}", ["--target 'close' is not a column", "Close"]),
        (f"{TRAIN} --features Vol", ["--features Vol: not column(s)"]),
        ("train {text} --target Ticker --out {out}", ["column 'Ticker'", "is not numeric"]),
        ("train {text} --target Close --features Ticker --out {out}", ["is not numeric"]),
        ("train {holes} --target Close --out {out}", ["'Volume'", "has 1 missing value"]),
        ("train {no_date} --target Close --out {out}", ["no 'Date' column", "--date-column"]),
        ("train {repeated} --target Close --out {out}", ["has 300 repeated dates"]),
        ("train {bad_dates} --target Close --out {out}", ["does not hold dates"]),
        ("train {empty} --target Close --out {out}", ["is empty"]),
        ("train {short} --target Close --out {out} --window 20", ["too few for --window 20"]),
        (f"{TRAIN} --window 250", ["209 training rows", "too few for --window 250"]),
        ("compare {csv} --target Close --window 60 --cv 5", ["and 5 cross-validation folds"]),
        ("train {short} --target Close --out {out} --horizon 12", ["too few for a --horizon 12"]),
        (f"{TRAIN} --nonlinearity relu", ["--nonlinearity applies to --cell rnn only"]),
        ("train {infinite} --target Close --out {out}", ["column 'Close'", "infinite value"]),
        ("train {csv} --target Close --out {missing_dir}", ["--out", "does not exist"]),
        ("evaluate {csv} --model {missing}", ["--model {missing}: no such file"]),
        ("evaluate {csv} --model {garbage}", ["is not a model file"]),
        ("evaluate {csv} --model {garbage_skrnn}", ["garbage.skrnn"]),
        ("predict {text_only} --model {model} --out {out}", ["lacks the column(s)", "Close"]),
        (
            "predict {csv} --model {model} --out {out} --interval 0.9",
            ["--interval needs a model trained with --interval", "forecasts no quantiles"],
        ),
        (
            "evaluate {csv} --model {quantile_model} --interval 0.9",
            ["A 0.9 interval needs the quantiles 0.05 and 0.95", "0.025, 0.1, 0.5, 0.9, 0.975"],
        ),
        ("demo --ticker XYZ --output-dir {tmp}", ["ticker must be one of"]),
        (
            "predict {csv} --model {model} --target Volume --out {out}",
            ["--target 'Volume'", "forecasts 'Close', the column it was trained for"],
        ),
        (
            "compare {csv} --target Close --models persistence --table {out} --predictions {out}",
            ["--table and --predictions name the same file"],
        ),
        ("train {csv} --target Close --out {tmp}", ["--out {tmp} is a directory"]),
        ("evaluate {csv} --model {classifier} --target Close", ["holds a classifier"]),
    ],
)
def test_errors_are_one_line(
    argv, fragments, bad_csvs, csv_path, model_path, quantile_model_path, tmp_path, capsys
):
    (tmp_path / "text_only.csv").write_text("Date,Other\n2020-01-01,1\n2020-01-02,2\n")
    (tmp_path / "demo").mkdir()
    classifier = make_pipeline(SlidingWindow(3), LSTMClassifier(hidden_size=2, max_epochs=1))
    frame = pd.DataFrame({"Close": np.arange(20.0)})
    skrnn.save(classifier.fit(frame, np.arange(20) % 2), tmp_path / "classifier.skrnn")
    paths = {
        **{name: str(path) for name, path in bad_csvs.items()},
        "csv": str(csv_path),
        "model": str(model_path),
        "quantile_model": str(quantile_model_path),
        "missing": str(tmp_path / "missing.csv"),
        "missing_dir": str(tmp_path / "no" / "such" / "m.joblib"),
        "out": str(tmp_path / "out.joblib"),
        "tmp": str(tmp_path / "demo"),
        "text_only": str(tmp_path / "text_only.csv"),
        "classifier": str(tmp_path / "classifier.skrnn"),
    }
    argv = [arg.format(**paths) for arg in argv.split()]
    fragments = [fragment.format(**paths) for fragment in fragments]
    status, _, err = run(capsys, *argv)
    assert_one_line_error(status, err, f"skrnn {argv[0]}: error:", *fragments)
    assert not (tmp_path / "out.joblib").exists()


@pytest.mark.parametrize(
    ("argv", "overwritten"),
    [
        ("train {csv} --target Close --out {csv}", "data file"),
        ("predict {csv} --model {model} --out {csv}", "data file"),
        ("predict {csv} --model {model} --out {model}", "--model"),
        ("forecast {csv} --model {model} --out {model}", "--model"),
        ("forecast {csv} --model {model} --future {future} --out {future}", "--future file"),
    ],
)
def test_an_output_never_overwrites_an_input(
    argv, overwritten, csv_path, model_path, tmp_path, capsys
):
    paths = {
        "csv": tmp_path / "prices.csv",
        "model": tmp_path / "model.joblib",
        "future": tmp_path / "future.csv",
    }
    shutil.copy(csv_path, paths["csv"])
    shutil.copy(model_path, paths["model"])
    paths["future"].write_text("Date,Volume\n2030-01-01,1\n")
    before = {name: path.read_bytes() for name, path in paths.items()}
    status, _, err = run(capsys, *argv.format(**paths).split())
    assert_one_line_error(status, err, f"is the {overwritten} this command reads", "overwrite")
    assert {name: path.read_bytes() for name, path in paths.items()} == before


@pytest.mark.parametrize("out", ["model.joblib", "forecasts.csv"])
def test_a_failed_write_keeps_the_earlier_file(
    out, csv_path, model_path, tmp_path, capsys, monkeypatch
):
    """A write that fails midway (a full disk) leaves the user's file as it was."""
    import skrnn._io

    path = tmp_path / out
    path.write_bytes(b"the user's earlier file")
    real_open = open

    def full_disk(name, mode="r", *args, **kwargs):
        file = real_open(name, mode, *args, **kwargs)
        if "w" in mode:
            file.write = lambda data: (_ for _ in ()).throw(OSError(28, "No space left"))
        return file

    monkeypatch.setattr(skrnn._io, "open", full_disk, raising=False)
    if out.endswith(".joblib"):
        argv = ["train", csv_path, "--target", "Close", "--out", path, *TINY]
    else:
        argv = ["predict", csv_path, "--model", model_path, "--out", path]
    status, _, err = run(capsys, *argv)
    assert status == 1  # (training may also have warned)
    assert f"error: --out {path}: could not write it (No space left)" in err.splitlines()[-1]
    assert path.read_bytes() == b"the user's earlier file"
    assert [p.name for p in tmp_path.iterdir()] == [out]  # no temporary file left behind


def test_evaluate_warns_when_its_hold_out_reaches_into_training(model_path, csv_path, capsys):
    status, _, err = run(capsys, "evaluate", csv_path, "--model", model_path, "--test-size", "0.6")
    assert status == 0
    assert "--test-size 0.6 holds out more than the model's hold-out (0.3" in err


def test_the_date_column_a_model_was_trained_with_is_read_again(prices, tmp_path, capsys):
    data = tmp_path / "days.csv"
    prices.rename_axis("Day").assign(Flag=prices["Close"] > prices["Open"]).to_csv(data)
    model = tmp_path / "days.joblib"
    # A boolean column is no default feature (it would be refused as one).
    status, _, err = run(
        capsys, "train", data, "--date-column", "Day", "--target", "Close", "--out", model, *TINY
    )
    assert status == 0, err
    assert "Flag" not in joblib.load(model)["features"]
    status, out, err = run(capsys, "evaluate", data, "--model", model)
    assert status == 0, err
    assert "Persistence" in out


def test_a_plot_in_a_format_matplotlib_cannot_write(model_path, csv_path, tmp_path, capsys):
    plot = tmp_path / "plot.joblib"
    status, _, err = run(
        capsys, "evaluate", str(csv_path), "--model", str(model_path), "--plot", str(plot)
    )
    assert_one_line_error(status, err, "--plot", "cannot write .joblib files", ".png")
    assert not plot.exists()


def skrnn_process(*argv):
    """The command in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "skrnn.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_failed_in_one_line(result, command):
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"skrnn {command}: error: ")
    assert result.stdout == ""
    return line


def test_a_header_only_file_in_a_real_process(tmp_path):
    (tmp_path / "header_only.csv").write_text("Date,sales\n")
    result = skrnn_process(
        "train", tmp_path / "header_only.csv", "--target", "sales", "--out", tmp_path / "m.joblib"
    )
    line = assert_failed_in_one_line(result, "train")
    assert line.endswith("header_only.csv has a header (Date, sales) but no rows of data: a "
                         "series needs one row per date.")  # fmt: skip
    assert "IndexError" not in line
    assert not (tmp_path / "m.joblib").exists()


def test_a_corrupt_model_file_in_a_real_process(csv_path, tmp_path):
    corrupt = tmp_path / "corrupt.joblib"
    corrupt.write_bytes(b"garbage bytes, not a pickle at all" * 10)
    line = assert_failed_in_one_line(
        skrnn_process("evaluate", csv_path, "--model", corrupt), "evaluate"
    )
    assert line == (
        f"skrnn evaluate: error: --model {corrupt} is not a model file written by joblib or "
        "'skrnn train' (it could not be unpickled); retrain it with 'skrnn train DATA --target "
        "COLUMN --out MODEL', or pass a file saved by skrnn.save."
    )
    for internal in ("invalid literal", "arbage", "pickle data", "Error"):
        assert internal not in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "could not be unpickled"),
        (b"\x80\x04\x95", "could not be unpickled"),  # a truncated pickle
        (b"cno_such_module_for_skrnn\nThing\n.", "needs the Python module"),
    ],
    ids=["empty", "truncated", "unknown-module"],
)
def test_model_files_that_are_no_model(content, expected, csv_path, tmp_path, capsys):
    path = tmp_path / "bad.joblib"
    path.write_bytes(content)
    status, _, err = run(capsys, "evaluate", csv_path, "--model", path)
    assert_one_line_error(status, err, expected, "skrnn train")


def test_a_pickle_of_something_else(csv_path, tmp_path, capsys):
    joblib.dump({"weights": [1, 2, 3]}, tmp_path / "dict.joblib")
    status, _, err = run(capsys, "evaluate", csv_path, "--model", tmp_path / "dict.joblib")
    assert_one_line_error(status, err, "holds a dict, not a model", "skrnn train")


def test_device_reaches_the_network(csv_path, tmp_path, capsys):
    out_path = tmp_path / "m.joblib"
    argv = ["train", csv_path, "--target", "Close", "--out", out_path, *TINY, "--device", "cpu"]
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    assert joblib.load(out_path)["model"][-1].device == "cpu"


def test_a_device_that_does_not_exist_is_one_line(csv_path, tmp_path):
    result = skrnn_process(
        "train", csv_path, "--target", "Close", "--out", tmp_path / "m.joblib", *TINY,
        "--device", "warp-drive",
    )  # fmt: skip
    line = assert_failed_in_one_line(result, "train")
    assert "warp-drive" in line
    assert "device" in line
    assert not (tmp_path / "m.joblib").exists()


def test_warnings_are_one_line(monkeypatch, capsys):
    import warnings

    def command(args):
        warnings.warn("something to know\nover two lines", UserWarning, stacklevel=1)
        return 0

    from skrnn.cli import compare

    monkeypatch.setattr(compare, "run_demo", command)
    status, _, err = run(capsys, "demo")
    assert status == 0
    assert err.strip().splitlines() == ["skrnn: warning: something to know over two lines"]


def test_threads_are_restored(csv_path, tmp_path, capsys):
    import torch

    before = torch.get_num_threads()
    argv = ["train", csv_path, "--target", "Close", "--out", tmp_path / "m.joblib", *TINY]
    assert run(capsys, *argv, "--threads", "1")[0] == 0
    assert torch.get_num_threads() == before


# -- the progress bar -------------------------------------------------------------------------
def test_epoch_progress_bar(prices, capsys):
    from skrnn._progress import EpochProgressBar

    X, y = skrnn.make_supervised(prices[["Close"]], target="Close")
    windows = SlidingWindow(5).fit_transform(X)
    network = RNNRegressor(
        hidden_size=4,
        max_epochs=3,
        early_stopping=False,
        random_state=0,
        callbacks=[("progress", EpochProgressBar(desc="fit", disable=False))],
    ).fit(windows, y)
    err = capsys.readouterr().err
    assert "fit" in err
    assert "3/3" in err
    assert "train=" in err
    # Saved models carry no terminal handle.
    callback = dict(network.net_.callbacks_)["progress"]
    assert "bar_" not in callback.__getstate__()
    joblib.dump(network, io.BytesIO())


def test_epoch_progress_bar_catches_up_when_stopping_early(prices, capsys):
    from skrnn._progress import EpochProgressBar

    X, y = skrnn.make_supervised(prices[["Close"]], target="Close")
    bar = EpochProgressBar(disable=False)
    network = RNNRegressor(
        hidden_size=4, max_epochs=50, n_iter_no_change=1, random_state=0, callbacks=[bar]
    ).fit(SlidingWindow(5).fit_transform(X), y)
    assert network.n_iter_ < 50
    assert f"{network.n_iter_}/50" in capsys.readouterr().err


# -- many series (--group) --------------------------------------------------------------------
PANEL_LENGTHS = {"S0": 40, "S1": 52, "S2": 46}


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """A CSV file of monthly series of different lengths and levels, rows shuffled, and a
    model trained on it for 3 steps."""
    frames = []
    for k, (name, n) in enumerate(PANEL_LENGTHS.items()):
        dates = pd.date_range("2015-01-31", periods=n, freq="ME") + pd.offsets.MonthEnd(k)
        values = 10.0 ** (k + 1) * (3 + np.sin(2 * np.pi * np.arange(n) / 12))
        frames.append(pd.DataFrame({"Date": dates, "store": name, "sales": values}))
    long = pd.concat(frames, ignore_index=True)
    folder = tmp_path_factory.mktemp("panel")
    long.sample(frac=1, random_state=0).to_csv(folder / "panel.csv", index=False)
    argv = ["train", folder / "panel.csv", "--target", "sales", "--group", "store"]
    argv += ["--horizon", "3", "--out", folder / "model.joblib", *TINY]
    assert main([str(arg) for arg in argv]) == 0
    return folder / "panel.csv", folder / "model.joblib", long


def test_train_on_many_series(panel, tmp_path, capsys):
    csv_path, model_path, _ = panel
    bundle = joblib.load(model_path)
    assert bundle["group"] == "store"
    assert bundle["features"] == ["sales"]
    model = bundle["model"]
    assert [name for name, _ in model.steps] == ["window", "model"]  # no global scaler
    assert model["window"].group == "store"
    # Trained on every series but its last 3 values: 3 rows without a whole target, the
    # hold-out row and a gap of 2.
    argv = ["train", csv_path, "--target", "sales", "--group", "store", "--horizon", "3"]
    status, out, _ = run(capsys, *argv, "--out", tmp_path / "m.joblib", *TINY)
    assert status == 0
    n_train = sum(n - 3 - 1 - 2 for n in PANEL_LENGTHS.values())
    assert f"on {n_train} rows of {csv_path} (3 series, 2015-01-31 to " in out
    assert "hold-out (the last 3 values of each series)" in out


def test_evaluate_many_series_on_the_last_values_of_each(panel, capsys):
    csv_path, model_path, long = panel
    status, out, err = run(capsys, "evaluate", csv_path, "--model", model_path)
    assert status == 0, err
    assert "the last 3 values of each of the 3 series (--group store)" in out
    header, _, persistence_row = out.strip().splitlines()[1:4]
    assert header.split()[:6] == ["model", "MAE", "RMSE", "MAPE", "%", "sMAPE"]
    truth = np.concatenate([rows["sales"].to_numpy()[-3:] for _, rows in long.groupby("store")])
    last = np.repeat([rows["sales"].iloc[-4] for _, rows in long.groupby("store")], 3)
    smape = np.mean(200 * np.abs(truth - last) / (truth + last))
    assert float(persistence_row.split()[4]) == pytest.approx(smape, abs=0.005)


def test_predict_and_forecast_many_series(panel, tmp_path, capsys):
    csv_path, model_path, long = panel
    status, out, _ = run(capsys, "predict", csv_path, "--model", model_path, "--out", "-")
    assert status == 0
    written = pd.read_csv(io.StringIO(out), parse_dates=["origin", "target_date"])
    assert list(written.columns) == ["store", "origin", "target_date", "step", "sales_forecast"]
    assert len(written) == 3 * len(long)
    for name, rows in written.groupby("store"):
        dates = long.loc[long["store"] == name, "Date"]
        np.testing.assert_array_equal(rows["origin"].unique(), dates)
        # The last row's forecasts are of the 3 months after the series' end.
        after = pd.date_range(dates.iloc[-1], periods=4, freq="ME")[1:]
        np.testing.assert_array_equal(rows["target_date"].iloc[-3:], after)
    status, out, _ = run(capsys, "forecast", csv_path, "--model", model_path)
    assert status == 0
    ahead = pd.read_csv(io.StringIO(out), parse_dates=["target_date"])
    assert list(ahead.columns) == ["store", "target_date", "step", "sales_forecast", "method"]
    last = written.groupby("store").tail(3).reset_index(drop=True)
    np.testing.assert_array_equal(ahead["target_date"], last["target_date"])
    np.testing.assert_allclose(ahead["sales_forecast"], last["sales_forecast"], rtol=1e-12)
    out_path = tmp_path / "ahead.csv"
    status, out, err = run(capsys, "forecast", csv_path, "--model", model_path, "--out", out_path)
    assert status == 0, err
    assert "after the last row of each of the 3 series (--group store)" in out
    assert "dates at the file's frequency, ME." in out
    pd.testing.assert_frame_equal(pd.read_csv(out_path, parse_dates=["target_date"]), ahead)


def test_intervals_of_many_series(panel, tmp_path, capsys):
    csv_path, _, _ = panel
    model_path = tmp_path / "quantiles.joblib"
    argv = ["train", csv_path, "--target", "sales", "--group", "store", "--horizon", "3"]
    assert run(capsys, *argv, "--interval", "0.8", "--out", model_path, *TINY)[0] == 0
    status, out, err = run(capsys, "evaluate", csv_path, "--model", model_path, "--interval", "0.8")
    assert status == 0, err
    rows = [line.split() for line in out.splitlines() if " 80% " in line]
    assert [row[:2] for row in rows] == [["LSTMRegressor", "80%"], ["Persistence", "80%"]]
    status, out, _ = run(capsys, "predict", csv_path, "--model", model_path, "--interval", "0.8",
                         "--out", "-")  # fmt: skip
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns[-2:]) == ["sales_lower_80", "sales_upper_80"]
    assert (written["sales_lower_80"] <= written["sales_forecast"]).all()
    assert (written["sales_forecast"] <= written["sales_upper_80"]).all()


def test_series_ids_that_look_like_numbers_stay_labels(tmp_path, capsys):
    dates = pd.date_range("2020-01-01", periods=30, freq="D")
    ids = ["001", "010", "0010"]
    frame = pd.concat(
        pd.DataFrame({"Date": dates, "id": name, "y": np.sin(np.arange(30) / (k + 2)) + 5})
        for k, name in enumerate(ids)
    )
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    model = tmp_path / "m.joblib"
    argv = ["train", path, "--target", "y", "--group", "id", "--out", model, *TINY]
    assert run(capsys, *map(str, argv))[0] == 0
    status, out, _ = run(capsys, "forecast", str(path), "--model", str(model))
    assert status == 0
    ahead = pd.read_csv(io.StringIO(out), dtype={"id": str})
    assert sorted(ahead["id"]) == sorted(ids)

"""``skrnn forecast`` and ``skrnn train --future-covariates``: forecasts past the end of a
CSV file, dated, directly or recursively, with the covariates' future values from a file."""

import io

import numpy as np
import pandas as pd
import pytest

import skrnn
from skrnn.cli import main
from skrnn.cli._modelfile import load_model
from skrnn.datasets import load_stock

TINY = ["--epochs", "2", "--hidden-size", "4", "--window", "5", "--quiet"]


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(capsys, *argv):
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A daily sales file with holidays and weekends, and the calendar of the 14 days after."""
    folder = tmp_path_factory.mktemp("sales")
    dates = pd.date_range("2023-01-01", periods=300, freq="D")
    rng = np.random.default_rng(0)
    holiday = (rng.random(300) < 0.06).astype(int)
    weekend = (dates.day_of_week >= 5).astype(int)
    sales = 100 + 10 * weekend + 40 * holiday + rng.normal(0, 2, 300)
    frame = pd.DataFrame({"Date": dates, "sales": sales, "holiday": holiday, "weekend": weekend})
    frame.to_csv(folder / "sales.csv", index=False)
    after = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    calendar = pd.DataFrame(
        {
            "Date": after,
            "holiday": (np.arange(14) == 2).astype(int),
            "weekend": after.day_of_week >= 5,
        }
    )
    calendar["weekend"] = calendar["weekend"].astype(int)
    calendar.to_csv(folder / "future.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def direct_model(files):
    path = files / "direct.joblib"
    argv = ["train", files / "sales.csv", "--target", "sales", "--out", path, "--horizon", "7"]
    argv += ["--future-covariates", "holiday", "weekend", *TINY]
    assert main([str(arg) for arg in argv]) == 0
    return path


@pytest.fixture(scope="module")
def one_step_model(files):
    path = files / "one_step.joblib"
    argv = ["train", files / "sales.csv", "--target", "sales", "--features", "sales", "--out", path]
    argv += ["--future-covariates", "holiday", *TINY]
    assert main([str(arg) for arg in argv]) == 0
    return path


def test_train_records_the_covariates(direct_model):
    model, info = load_model(direct_model)
    assert info["future_covariates"] == ["holiday", "weekend"]
    assert "holiday_t+7" in info["features"]
    assert list(model.feature_names_in_) == info["features"]


def test_direct_forecast_with_the_future_file(files, direct_model, capsys):
    out = files / "forecast.csv"
    status, printed, _ = run(
        capsys, "forecast", files / "sales.csv", "--model", direct_model,
        "--future", files / "future.csv", "--out", out,
    )  # fmt: skip
    assert status == 0
    assert "directly" in printed
    assert "the dates of" in printed
    table = pd.read_csv(out, parse_dates=["target_date"])
    assert list(table.columns) == ["target_date", "step", "sales_forecast", "method"]
    assert list(table["step"]) == list(range(1, 8))
    assert (table["method"] == "direct").all()
    assert table["target_date"].iloc[0] == pd.Timestamp("2023-10-28")
    # The same as skrnn.forecast in Python.
    model, _ = load_model(direct_model)
    history = pd.read_csv(files / "sales.csv", parse_dates=["Date"], index_col="Date")
    future = pd.read_csv(files / "future.csv", parse_dates=["Date"], index_col="Date")
    expected = skrnn.forecast(model, history, target="sales", future=future)
    np.testing.assert_allclose(table["sales_forecast"], expected["sales"], rtol=1e-12)


def test_forecast_to_stdout_and_fewer_steps(files, direct_model, capsys):
    status, out, _ = run(
        capsys, "forecast", files / "sales.csv", "--model", direct_model,
        "--future", files / "future.csv", "--steps", "3",
    )  # fmt: skip
    assert status == 0
    assert len(pd.read_csv(io.StringIO(out))) == 3


def test_recursive_forecast(files, one_step_model, capsys):
    status, out, _ = run(
        capsys, "forecast", files / "sales.csv", "--model", one_step_model,
        "--future", files / "future.csv", "--steps", "10",
    )  # fmt: skip
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == 10
    assert (table["method"] == "recursive").all()


def test_errors_name_the_option(files, direct_model, one_step_model, capsys):
    data = files / "sales.csv"
    line = one_line_error(capsys, "forecast", data, "--model", direct_model)
    assert "pass --future" in line
    assert "holiday, weekend" in line
    line = one_line_error(
        capsys, "forecast", data, "--model", direct_model, "--future", files / "future.csv",
        "--steps", "9",
    )  # fmt: skip
    assert "--steps 9, but the model forecasts 7 steps at once" in line
    line = one_line_error(capsys, "forecast", data, "--model", one_step_model, "--steps", "3")
    assert "pass --future" in line
    line = one_line_error(
        capsys, "train", data, "--target", "sales", "--out", files / "x.joblib",
        "--future-covariates", "sales", *TINY,
    )  # fmt: skip
    assert "--future-covariates lists the target 'sales'" in line
    line = one_line_error(
        capsys, "train", data, "--target", "sales", "--out", files / "x.joblib",
        "--future-covariates", "promo", *TINY,
    )  # fmt: skip
    assert "--future-covariates 'promo'" in line or "--future-covariates promo" in line


def test_errors_of_the_future_file_name_the_files(files, direct_model, capsys):
    future = pd.read_csv(files / "future.csv")
    short, text = files / "short_future.csv", files / "text_future.csv"
    future.iloc[:3].to_csv(short, index=False)
    future.assign(holiday="no").to_csv(text, index=False)
    data = files / "sales.csv"
    line = one_line_error(capsys, "forecast", data, "--model", direct_model, "--future", short)
    assert "future has 3 row(s) dated after the end" in line
    assert f"history is {data} and future is --future {short}" in line
    line = one_line_error(capsys, "forecast", data, "--model", direct_model, "--future", text)
    assert "'holiday' hold values that are not numbers" in line


def test_evaluate_and_predict_with_covariates(files, direct_model, capsys):
    status, out, _ = run(capsys, "evaluate", files / "sales.csv", "--model", direct_model)
    assert status == 0
    assert "Persistence" in out
    predictions = files / "predictions.csv"
    status, out, _ = run(
        capsys, "predict", files / "sales.csv", "--model", direct_model, "--out", predictions
    )
    assert status == 0
    assert "skrnn forecast --future" in out
    assert len(pd.read_csv(predictions)) == (300 - 7) * 7


def test_a_stock_forecast_in_business_days(tmp_path, capsys):
    prices = load_stock("IBM").iloc[-200:]
    prices.to_csv(tmp_path / "ibm.csv")
    model = tmp_path / "ibm.joblib"
    argv = ["train", tmp_path / "ibm.csv", "--target", "Close", "--features", "Close"]
    assert main([str(arg) for arg in [*argv, "--out", model, *TINY]]) == 0
    capsys.readouterr()
    status, out, _ = run(capsys, "forecast", tmp_path / "ibm.csv", "--model", model, "--steps", 3)
    assert status == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table["target_date"]) == ["2013-03-04", "2013-03-05", "2013-03-06"]  # Mon-Wed
    line = one_line_error(
        capsys, "forecast", tmp_path / "ibm.csv", "--model", model, "--steps", "3", "--target",
        "Open",
    )  # fmt: skip
    assert "forecasts 'Close', the column it was trained for" in line

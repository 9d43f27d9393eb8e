"""Reading CSV series (``skrnn.cli.read_series`` and the commands' CSV options): separators,
date formats, missing values, empty files, and the dates forecasts are of."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from skrnn.cli import main, read_series
from skrnn.cli._data import infer_offset, target_dates
from skrnn.datasets import load_stock

N_ROWS = 300


@pytest.fixture(scope="module")
def prices():
    return load_stock("IBM").iloc[-N_ROWS:]


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(capsys, *argv):
    """Run a command that must fail on its input: its one line on stderr."""
    status, out, err = run(capsys, *argv)
    assert status == 1, (out, err)
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    return line


def test_load_stock_round_trips_through_csv(tmp_path):
    prices = load_stock("MSFT")
    prices.to_csv(tmp_path / "msft.csv")
    frame = read_series(tmp_path / "msft.csv")
    pd.testing.assert_frame_equal(frame, prices, check_index_type=False)
    assert isinstance(frame.index, pd.DatetimeIndex)


def test_read_series_sorts_by_date_and_matches_the_date_column_ignoring_case(prices, tmp_path):
    shuffled = prices.sample(frac=1.0, random_state=0).rename_axis("date")
    shuffled.to_csv(tmp_path / "shuffled.csv")
    frame = read_series(tmp_path / "shuffled.csv")
    assert frame.index.is_monotonic_increasing
    np.testing.assert_array_equal(frame["Close"], prices["Close"])
    assert frame.index.name == "date"


def test_read_series_with_another_date_column(prices, tmp_path):
    prices.rename_axis("timestamp").to_csv(tmp_path / "ts.csv")
    assert len(read_series(tmp_path / "ts.csv", date_column="Timestamp")) == N_ROWS


# -- an empty file, or only a header ----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "sep"), [("Date,sales\n", ","), ("Date,sales\n\n\n", ","), ("date;sales\n", ";")]
)
def test_a_header_without_rows_is_one_clear_line(text, sep, tmp_path, capsys):
    path = tmp_path / "header_only.csv"
    path.write_text(text)
    argv = ["train", path, "--target", "sales", "--out", tmp_path / "m.joblib", "--sep", sep]
    line = one_line_error(capsys, *argv)
    header = text.strip().replace(sep, ", ")
    assert line == (
        f"skrnn train: error: {path} has a header ({header}) but no rows of data: a series "
        "needs one row per date."
    )
    with pytest.raises(ValueError, match=r"has a header .* but no rows"):
        read_series(path, sep=sep)


def test_an_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match=r"empty\.csv is empty"):
        read_series(tmp_path / "empty.csv")


# -- separators and decimal marks -------------------------------------------------------------
@pytest.mark.parametrize(("sep", "shown"), [(";", "';'"), ("\t", "'\\t'"), ("|", "'|'")])
def test_another_separator_is_named(sep, shown, prices, tmp_path, capsys):
    path = tmp_path / "prices.csv"
    prices.to_csv(path, sep=sep)
    line = one_line_error(capsys, "train", path, "--target", "Close", "--out", tmp_path / "m")
    assert f"its fields look separated by {shown}: use --sep {shown}." in line
    assert "--date-column" not in line
    frame = read_series(path, sep=sep)
    pd.testing.assert_frame_equal(frame, prices, check_index_type=False)


def test_a_comma_file_read_with_semicolons_is_named(prices, tmp_path):
    prices.to_csv(tmp_path / "prices.csv")
    with pytest.raises(ValueError, match="use --sep ','"):
        read_series(tmp_path / "prices.csv", sep=";")


def test_decimal_commas(prices, tmp_path, capsys):
    path = tmp_path / "european.csv"
    prices.to_csv(path, sep=";", decimal=",")
    line = one_line_error(
        capsys, "train", path, "--target", "Close", "--out", tmp_path / "m", "--sep", ";"
    )
    assert "is not numeric" in line
    assert "decimal comma: pass --decimal ','" in line
    frame = read_series(path, sep=";", decimal=",")
    pd.testing.assert_frame_equal(frame, prices, check_index_type=False)


def test_the_same_separator_and_decimal_mark(prices, tmp_path):
    prices.to_csv(tmp_path / "prices.csv")
    with pytest.raises(ValueError, match=r"--sep and --decimal are both ','.*--sep ';'"):
        read_series(tmp_path / "prices.csv", decimal=",")


# -- dates ------------------------------------------------------------------------------------
def day_first(prices, path, fmt="%d/%m/%Y"):
    prices.to_csv(path, date_format=fmt)
    return path


def test_day_first_dates_name_the_options_not_pandas_keywords(prices, tmp_path, capsys):
    # The first date is ambiguous, so pandas guesses month first and fails at 13/01.
    january = prices.loc["2012-01-03":]
    path = day_first(january, tmp_path / "dmy.csv")
    assert path.read_text().splitlines()[1].startswith("03/01/2012")  # 3 January
    line = one_line_error(capsys, "train", path, "--target", "Close", "--out", tmp_path / "m")
    assert "only read day first, e.g. '13/01/2012' (row 9)" in line
    assert "pass --dayfirst (or --date-format" in line
    for pandas_advice in ("dayfirst=", "format=", "ISO8601", "mixed", "You might want"):
        assert pandas_advice not in line
    for kwargs in ({"dayfirst": True}, {"date_format": "%d/%m/%Y"}):
        frame = read_series(path, **kwargs)
        pd.testing.assert_index_equal(frame.index, january.index, exact=False)
    argv = ["train", path, "--target", "Close", "--out", tmp_path / "m.joblib", "--dayfirst"]
    status, out, err = run(capsys, *argv, "--epochs", "1", "--hidden-size", "2", "--quiet")
    assert status == 0, err
    assert out.splitlines()[-1].endswith("--dayfirst")


def test_the_day_first_warning_names_the_option(prices, tmp_path):
    path = day_first(prices, tmp_path / "dmy.csv")  # 19/12/2011: it can only be day first
    with pytest.warns(UserWarning, match="read day first") as record:
        frame = read_series(path)
    pd.testing.assert_index_equal(frame.index, prices.index, exact=False)
    messages = [str(warning.message) for warning in record]
    assert all("dayfirst=True" not in message for message in messages)
    assert any("pass --dayfirst" in message for message in messages)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_series(path, dayfirst=True)


def test_a_date_format_that_does_not_fit(prices, tmp_path, capsys):
    path = day_first(prices, tmp_path / "dmy.csv", fmt="%d.%m.%Y")
    line = one_line_error(
        capsys, "train", path, "--target", "Close", "--out", tmp_path / "m",
        "--date-format", "%Y-%m-%d",
    )  # fmt: skip
    assert "does not hold dates in --date-format '%Y-%m-%d': e.g. '19.12.2011' (row 1)" in line
    frame = read_series(path, date_format="%d.%m.%Y")
    pd.testing.assert_index_equal(frame.index, prices.index, exact=False)


def test_a_date_format_with_no_strftime_code(prices, tmp_path, capsys):
    path = tmp_path / "ibm.csv"
    prices.to_csv(path)
    line = one_line_error(
        capsys, "train", path, "--target", "Close", "--out", tmp_path / "m", "--date-format", "%Q"
    )
    assert "--date-format '%Q' is not a date format" in line
    assert "strftime codes" in line


def test_dates_in_several_time_zones(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("Date,y\n2020-01-01T00:00:00+02:00,1\n2020-01-02T00:00:00+01:00,2\n")
    with pytest.raises(ValueError, match="holds dates in more than one time zone"):
        read_series(path)


def test_rows_without_a_date(tmp_path):
    (tmp_path / "gaps.csv").write_text("Date,y\n2020-01-01,1\n,2\n2020-01-03,3\n")
    with pytest.raises(ValueError, match=r"1 row\(s\) without a date .* \(first: row 2\)"):
        read_series(tmp_path / "gaps.csv")


# -- missing values ---------------------------------------------------------------------------
@pytest.fixture
def holes(prices, tmp_path):
    holes = prices.copy()
    holes.iloc[[10, 11], holes.columns.get_loc("Volume")] = np.nan
    holes.to_csv(tmp_path / "holes.csv")
    return tmp_path / "holes.csv"


def test_missing_values_name_the_option(holes, tmp_path, capsys):
    line = one_line_error(capsys, "train", holes, "--target", "Close", "--out", tmp_path / "m")
    assert "column 'Volume'" in line
    assert "has 2 missing value(s)" in line
    assert "pass --missing ffill" in line
    assert "--missing drop" in line
    with pytest.raises(ValueError, match="pass --missing ffill"):
        read_series(holes)


def test_missing_ffill_and_drop(holes, prices):
    filled = read_series(holes, missing="ffill")
    assert len(filled) == N_ROWS
    assert filled["Volume"].iloc[10] == filled["Volume"].iloc[11] == prices["Volume"].iloc[9]
    dropped = read_series(holes, missing="drop")
    assert len(dropped) == N_ROWS - 2
    assert prices.index[10] not in dropped.index
    assert not dropped.isna().any().any()


def test_missing_values_in_an_unused_column_are_no_error(holes, tmp_path, capsys):
    out_path = tmp_path / "m.joblib"
    argv = ["train", holes, "--target", "Close", "--out", out_path, "--features", "Close"]
    status, _, err = run(capsys, *argv, "--epochs", "1", "--hidden-size", "2", "--quiet")
    assert status == 0, err


def test_the_commands_fill_or_drop(holes, tmp_path, capsys):
    import joblib

    for policy, n_rows in (("ffill", N_ROWS), ("drop", N_ROWS - 2)):
        out_path = tmp_path / f"{policy}.joblib"
        argv = ["train", holes, "--target", "Close", "--out", out_path, "--missing", policy]
        status, out, err = run(capsys, *argv, "--epochs", "1", "--hidden-size", "2", "--quiet")
        assert status == 0, err
        assert f"--missing {policy}" in out  # the next command reads the file the same way
        n_supervised = n_rows - 1  # the last row has no next value to learn
        n_train = n_supervised - math.ceil(0.3 * n_supervised)
        assert joblib.load(out_path)["model"]["scale"].n_samples_seen_ == n_train


def test_ffill_cannot_fill_the_first_rows(prices, tmp_path):
    first = prices.copy()
    first.iloc[0, first.columns.get_loc("Close")] = np.nan
    first.to_csv(tmp_path / "first.csv")
    with pytest.raises(ValueError, match=r"starts with 1 missing value.*pass --missing drop"):
        read_series(tmp_path / "first.csv", missing="ffill")


# -- the dates forecasts are of ---------------------------------------------------------------
def test_target_dates_inside_the_data_are_the_next_rows():
    index = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"])
    dates, _ = target_dates(index, 2)
    assert dates.shape == (4, 2)
    assert list(pd.DatetimeIndex(dates[:, 0])) == [*index[1:], pd.Timestamp("2020-01-08")]
    assert pd.Timestamp(dates[-1, 1]) == pd.Timestamp("2020-01-09")


@pytest.mark.parametrize(
    ("index", "expected", "says"),
    [
        # Stock prices: weekdays with holidays, so pandas infers no frequency for the whole.
        (load_stock("IBM").index, ["2013-03-04", "2013-03-05"], "business days"),
        (pd.date_range("2020-01-01", periods=30, freq="D"), ["2020-01-31", "2020-02-01"], "D"),
        (pd.date_range("2020-01-05", periods=10, freq="W"), ["2020-03-15", "2020-03-22"], "W"),
        (pd.date_range("2020-01-01", periods=6, freq="MS"), ["2020-07-01", "2020-08-01"], "MS"),
        (
            pd.DatetimeIndex(["2020-01-01", "2020-01-08", "2020-01-16", "2020-01-23"]),
            ["2020-01-30", "2020-02-06"],
            "median spacing",
        ),
    ],
    ids=["business-days", "daily", "weekly", "monthly", "irregular"],
)
def test_future_dates_follow_the_frequency(index, expected, says):
    dates, frequency = target_dates(index, 2)
    assert list(pd.DatetimeIndex(dates[-1])) == list(pd.DatetimeIndex(expected))
    assert says in frequency
    assert says in infer_offset(index)[1]


def test_a_file_of_many_series_is_sorted_by_series_then_date(tmp_path):
    from skrnn.cli._data import handle_missing, read_csv

    path = tmp_path / "panel.csv"
    path.write_text(
        "Date,id,y\n2020-02-01,b,5\n2020-01-01,b,4\n2020-02-01,a,2\n2020-01-01,a,1\n"
        "2020-03-01,a,\n2020-03-01,b,6\n"
    )
    frame = read_csv(path, group="id")
    assert list(frame["id"]) == ["a", "a", "a", "b", "b", "b"]
    assert list(frame.index.month) == [1, 2, 3, 1, 2, 3]
    # Forward filling stays within a series: a's gap takes a's last value, not b's.
    filled = handle_missing(frame, ["y"], "ffill", "panel.csv", group="id")
    assert list(filled["y"]) == [1, 2, 2, 4, 5, 6]
    path.write_text("Date,id,y\n2020-01-01,a,1\n2020-01-01,a,2\n2020-01-01,b,3\n")
    with pytest.raises(ValueError, match="1 repeated dates within a series of --group 'id'"):
        read_csv(path, group="id")
    path.write_text("Date,id,y\n2020-01-01,a,1\n2020-02-01,,2\n")
    with pytest.raises(ValueError, match=r"has 1 row\(s\) without a series id"):
        read_csv(path, group="id")

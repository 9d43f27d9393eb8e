"""Forecasting past the end: the dates that follow a series, future-known covariates in
make_supervised, the short-history warning, and skrnn.forecast (direct and recursive)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import (
    LSTMRegressor,
    PersistenceRegressor,
    ShortHistoryWarning,
    SlidingWindow,
    forecast,
    future_dates,
    make_supervised,
)
from skrnn.datasets import load_stock

FAST = dict(hidden_size=4, max_epochs=2, early_stopping=False, random_state=0)


def calendar_sales(n_days=240, seed=0):
    """Daily sales: a weekend lift, a holiday spike, noise."""
    dates = pd.date_range("2023-01-02", periods=n_days, freq="D", name="date")
    rng = np.random.default_rng(seed)
    holiday = (rng.random(n_days) < 0.08).astype(float)
    weekend = (dates.day_of_week >= 5).astype(float)
    sales = 50 + 8 * weekend + 30 * holiday + rng.normal(0, 1, n_days)
    return pd.DataFrame({"sales": sales, "holiday": holiday, "weekend": weekend}, index=dates)


def calendar_of(dates, holidays=()):
    dates = pd.DatetimeIndex(dates, name="date")
    return pd.DataFrame(
        {
            "holiday": dates.isin(pd.DatetimeIndex(holidays)).astype(float),
            "weekend": (dates.day_of_week >= 5).astype(float),
        },
        index=dates,
    )


def ridge(window=7):
    return make_pipeline(SlidingWindow(window, flatten=True), LinearRegression())


# -- the dates after the end ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.date_range("2024-01-01", periods=10, freq="D"), ["2024-01-11", "2024-01-12"]),
        (load_stock("IBM").index, ["2013-03-04", "2013-03-05"]),  # business days
        (pd.date_range("2024-01-31", periods=5, freq="ME"), ["2024-06-30", "2024-07-31"]),
        (pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-06"]), ["2024-01-08.12", None]),
    ],
    ids=["daily", "business", "month-end", "median"],
)
def test_future_dates(dates, expected):
    future = future_dates(dates, 2)
    if expected[1] is None:  # median spacing: 2.5 days
        assert list(future) == [dates[-1] + pd.Timedelta(days=2.5) * k for k in (1, 2)]
    else:
        assert list(future) == list(pd.DatetimeIndex(expected))


def test_future_dates_of_positions():
    assert future_dates(pd.RangeIndex(0, 10, 2), 3).tolist() == [10, 12, 14]


@pytest.mark.parametrize(("steps", "error"), [(0, ValueError), (1.5, ValueError)])
def test_future_dates_steps(steps, error):
    with pytest.raises(error, match="steps"):
        future_dates(pd.date_range("2024-01-01", periods=3), steps)


def test_future_dates_need_two_dates():
    with pytest.raises(ValueError, match="at least two dates"):
        future_dates(pd.DatetimeIndex(["2024-01-01"]), 1)
    with pytest.raises(ValueError, match="in time order"):
        future_dates(pd.DatetimeIndex(["2024-01-03", "2024-01-01", "2024-01-02"]), 1)
    with pytest.raises(ValueError, match="1 missing value"):
        future_dates(pd.DatetimeIndex(["2024-01-01", None, "2024-01-03"]), 1)


# -- future-known covariates in make_supervised -----------------------------------------------
def test_future_covariates_hold_the_values_at_the_dates_forecast():
    data = calendar_sales(30)
    X, y = make_supervised(data, target="sales", horizon=3, future=["holiday", "weekend"])
    assert list(X.columns) == [
        "sales", "holiday", "weekend",
        "holiday_t+1", "holiday_t+2", "holiday_t+3",
        "weekend_t+1", "weekend_t+2", "weekend_t+3",
    ]  # fmt: skip
    for step in (1, 2, 3):
        np.testing.assert_array_equal(X[f"holiday_t+{step}"], data["holiday"].iloc[step:][:27])
        # The covariate is aligned with the target of the same step.
        np.testing.assert_array_equal(y[f"sales_t+{step}"], data["sales"].iloc[step:][:27])


def test_future_covariates_stay_within_each_series():
    panel = pd.DataFrame(
        {"id": ["a"] * 4 + ["b"] * 3, "y": np.arange(7.0), "promo": [1.0, 2, 3, 4, 10, 20, 30]}
    )
    X, _ = make_supervised(panel, target="y", horizon=1, group="id", future="promo")
    assert X["promo_t+1"].tolist() == [2.0, 3.0, 4.0, 20.0, 30.0]


def test_future_covariates_of_an_array():
    data = np.column_stack([np.arange(5.0), np.arange(5.0) * 10])
    X, _ = make_supervised(data, target=0, horizon=2, future=[1])
    np.testing.assert_array_equal(X[:, 2:], [[10, 20], [20, 30], [30, 40]])


@pytest.mark.parametrize(
    ("future", "match"),
    [
        ("sales", "is the target"),
        (["nope"], "not a column of data"),
        (["holiday", "holiday"], "names a column twice"),
        (3.5, "future must be a column"),
    ],
)
def test_future_covariate_errors(future, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_supervised(calendar_sales(20), target="sales", future=future)


def test_a_covariate_name_taken_already():
    data = calendar_sales(20).assign(**{"holiday_t+1": 0.0})
    with pytest.raises(ValueError, match="already has a column 'holiday_t\\+1'"):
        make_supervised(data, target="sales", future="holiday")


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    horizon=st.integers(1, 4),
    data=st.data(),
)
def test_no_row_sees_its_series_beyond_its_horizon(sizes, horizon, data):
    """Each row's covariate values come from its own series, exactly ``k`` rows later, and
    the target never enters X."""
    ids = np.asarray(data.draw(st.permutations(np.repeat(np.arange(len(sizes)), sizes))))
    positions = pd.Series(ids).groupby(ids).cumcount().to_numpy()  # interleaved, in order
    frame = pd.DataFrame(
        {"id": ids, "y": ids * 1000.0 + positions, "tag": ids * 1000.0 + positions + 0.5}
    )
    if (np.asarray(sizes) <= horizon).all():
        return
    X, y = make_supervised(frame, target="y", horizon=horizon, group="id", future="tag")
    y = np.asarray(y).reshape(len(X), -1)
    for step in range(1, horizon + 1):
        np.testing.assert_array_equal(X[f"tag_t+{step}"], X["tag"] + step)
        np.testing.assert_array_equal(y[:, step - 1], X["y"] + step)
    assert not set(X.columns) & {f"y_t+{step}" for step in range(1, horizon + 1)}


# -- predicting from too little history ------------------------------------------------------------
def test_the_last_row_alone_warns():
    X = np.arange(20.0).reshape(-1, 1)
    window = SlidingWindow(5).fit(X)
    with pytest.warns(ShortHistoryWarning, match="1 row\\(s\\) of history .* window=5"):
        window.transform(X[-1:])


def test_no_warning_with_enough_history_nor_when_fitting():
    X, y = make_supervised(load_stock("IBM").iloc[-200:], target="Close")
    model = make_pipeline(StandardScaler(), SlidingWindow(7), PersistenceRegressor())
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortHistoryWarning)
        model.fit(X.iloc[:3], y.iloc[:3])  # training rows are padded on purpose
        model.fit(X, y).predict(X)
        model.predict(X.iloc[-7:])
        SlidingWindow(3).fit_transform(np.zeros((2, 1)))
        SlidingWindow(1).fit(np.zeros((2, 1))).transform(np.zeros((1, 1)))
        cross_val_score(model, X, y, cv=TimeSeriesSplit(5))


def test_pipeline_predict_from_the_last_row_warns():
    X, y = make_supervised(load_stock("IBM").iloc[-100:], target="Close")
    model = make_pipeline(StandardScaler(), SlidingWindow(7), PersistenceRegressor()).fit(X, y)
    with pytest.warns(ShortHistoryWarning, match="model.predict\\(X\\)\\[-1:\\]"):
        model.predict(X.iloc[-1:])


def test_short_series_of_a_panel_warn():
    panel = pd.DataFrame({"id": ["a"] * 6 + ["b"] * 2, "y": np.arange(8.0)})
    window = SlidingWindow(4, group="id").fit(panel)
    with pytest.warns(ShortHistoryWarning, match="1 of the 2 series in X has as few as 2"):
        window.transform(panel)


# -- forecast ------------------------------------------------------------------------------------
def test_recursive_forecast_feeds_each_forecast_back():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    model = ridge().fit(X, y)
    result = forecast(model, data, target="sales", steps=4)
    assert list(result.columns) == ["step", "sales", "method"]
    assert (result["method"] == "recursive").all()
    assert list(result.index) == list(future_dates(data.index, 4))
    history = data.copy()
    for step in range(4):  # the loop a user would write
        value = model.predict(history)[-1]
        assert result["sales"].iloc[step] == pytest.approx(value, rel=1e-12)
        history.loc[history.index[-1] + pd.Timedelta(days=1)] = value


def _by_hand(model, history, steps):
    """The recursion the docs describe: append each forecast and predict again."""
    history, values = history.copy(), []
    for _ in range(steps):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShortHistoryWarning)
            values.append(model.predict(history)[-1])
        history.loc[history.index[-1] + pd.Timedelta(days=1)] = values[-1]
    return np.array(values)


def test_a_history_shorter_than_the_window_fills_it_with_forecasts():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    model = make_pipeline(SlidingWindow(6, flatten=True, padding="edge"), LinearRegression())
    model.fit(X, y)
    short = data.iloc[-3:]
    with pytest.warns(ShortHistoryWarning):
        result = forecast(model, short, target="sales", steps=5)
    np.testing.assert_allclose(result["sales"], _by_hand(model, short, 5), rtol=1e-10)


def test_a_one_series_model_forecasts_each_series_of_a_panel_alone():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    model = make_pipeline(SlidingWindow(5, flatten=True, padding="edge"), LinearRegression())
    model.fit(X, y)
    a, b = data.iloc[-40:].assign(id="a"), (data.iloc[-3:] * 0.5).assign(id="b")
    panel = pd.concat([a, b])
    with pytest.warns(ShortHistoryWarning):
        result = forecast(model, panel, target="sales", group="id", steps=3)
    assert list(result.columns) == ["id", "step", "sales", "method"]
    for part in (a, b):
        alone = forecast(model, part.drop(columns="id"), target="sales", steps=3)
        mine = result[result["id"] == part["id"].iloc[0]]
        np.testing.assert_allclose(mine["sales"], alone["sales"], rtol=1e-12)
        assert (mine.index == alone.index).all()
    # A model reading the ids from another column says so.
    grouped = make_pipeline(SlidingWindow(5, group="store", flatten=True), LinearRegression())
    grouped.fit(panel.rename(columns={"id": "store"}).iloc[:-3], panel["sales"].iloc[:-3])
    with pytest.raises(ValueError, match="reads the series ids from group='store'"):
        forecast(grouped, panel, target="sales", group="id", steps=1)
    with pytest.raises(ValueError, match=r"group=None, but .* pass group='store'"):
        forecast(grouped, panel.rename(columns={"id": "store"}), target="sales", steps=1)


def test_repeated_dates_in_future_are_refused():
    data = calendar_sales()
    X, y = make_supervised(data, target="sales", horizon=3, future=["holiday", "weekend"])
    model = ridge().fit(X, y)
    dates = future_dates(data.index, 3)
    ahead = calendar_of(dates)
    ahead = pd.concat([ahead.iloc[:2], ahead.iloc[1:]])
    with pytest.raises(ValueError, match="more than one row dated"):
        forecast(model, data, target="sales", future=ahead)


def test_a_model_that_imputes_forecasts_from_a_history_with_gaps():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    model = make_pipeline(SimpleImputer(), SlidingWindow(3, flatten=True), LinearRegression())
    model.fit(X, y)
    gap = data.copy()
    gap.iloc[-2, 0] = np.nan  # in the last window: the imputer fills it
    result = forecast(model, gap, target="sales", steps=1)
    assert result["sales"].iloc[0] == pytest.approx(model.predict(gap)[-1], rel=1e-12)


def test_period_dates_are_pointed_to_timestamps():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    with pytest.raises(ValueError, match="to_timestamp"):
        forecast(ridge().fit(X, y), data.to_period("D"), target="sales")


def test_direct_forecast_is_the_last_rows_prediction():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales", horizon=5)
    model = ridge().fit(X, y)
    result = forecast(model, data, target="sales")
    assert len(result) == 5
    assert (result["method"] == "direct").all()
    np.testing.assert_allclose(result["sales"], model.predict(data)[-1], rtol=1e-12)
    assert len(forecast(model, data, target="sales", steps=2)) == 2


def test_direct_forecast_with_future_covariates():
    data = calendar_sales()
    X, y = make_supervised(data, target="sales", horizon=7, future=["holiday", "weekend"])
    model = ridge().fit(X, y)
    dates = future_dates(data.index, 7)
    plain = forecast(model, data, target="sales", future=calendar_of(dates))
    spike = forecast(model, data, target="sales", future=calendar_of(dates, dates[2:3]))
    assert (plain.index == dates).all()
    jump = spike["sales"] - plain["sales"]
    assert jump.iloc[2] > 20  # the holiday's lift lands on the holiday
    assert np.abs(jump.drop(dates[2])).max() < 5
    # What the model sees is what make_supervised would build with the future known.
    extended = pd.concat([data, calendar_of(dates, dates[2:3]).assign(sales=np.nan)])
    X_all, _ = make_supervised(
        extended.fillna(0.0), target="sales", horizon=7, future=["holiday", "weekend"]
    )
    expected = model.predict(X_all.loc[: data.index[-1]])[-1]
    np.testing.assert_allclose(spike["sales"], expected, rtol=1e-12)


def test_recursive_forecast_with_future_covariates_and_a_network():
    data = calendar_sales(200)
    X, y = make_supervised(data[["sales", "holiday"]], target="sales", future="holiday")
    model = make_pipeline(StandardScaler(), SlidingWindow(7), LSTMRegressor(**FAST))
    model.fit(X, y)
    dates = future_dates(data.index, 10)
    result = forecast(model, data, target="sales", steps=9, future=calendar_of(dates))
    assert (result["method"] == "recursive").all()
    assert list(result.index) == list(dates[:9])


def test_only_the_window_is_read():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    model = make_pipeline(StandardScaler(), SlidingWindow(7), LSTMRegressor(**FAST)).fit(X, y)
    tail = forecast(model, data.iloc[-7:], target="sales", steps=3)
    whole = forecast(model, data, target="sales", steps=3)
    pd.testing.assert_frame_equal(tail, whole)


def test_panel_forecasts_one_series_at_a_time():
    a, b = calendar_sales(120, seed=1), calendar_sales(100, seed=2)
    panel = pd.concat([a.assign(store="a"), b.assign(store="b")]).reset_index()
    X, y = make_supervised(panel[["store", "sales"]], target="sales", group="store")
    model = make_pipeline(SlidingWindow(7, group="store"), LSTMRegressor(**FAST)).fit(X, y)
    result = forecast(model, panel, target="sales", steps=3, group="store", date="date")
    assert list(result.columns) == ["store", "step", "sales", "method"]
    assert result.index.name == "date"
    for store, series in (("a", a), ("b", b)):
        mine = result[result["store"] == store]
        assert list(mine.index) == list(future_dates(series.index, 3))
        alone = forecast(
            model, series[["sales"]].assign(store=store), target="sales", steps=3, group="store"
        )
        np.testing.assert_allclose(mine["sales"], alone["sales"], rtol=1e-6)


def test_dates_come_from_future_when_given():
    data = calendar_sales()[["sales"]]
    X, y = make_supervised(data, target="sales")
    model = ridge().fit(X, y)
    shop_days = pd.DatetimeIndex(["2023-08-31", "2023-09-01", "2023-09-04"], name="date")
    result = forecast(model, data, target="sales", steps=3, future=pd.DataFrame(index=shop_days))
    assert list(result.index) == list(shop_days)


def test_integer_positions():
    data = calendar_sales()[["sales"]].reset_index(drop=True)
    X, y = make_supervised(data, target="sales")
    result = forecast(ridge().fit(X, y), data, target="sales", steps=2)
    assert list(result.index) == [240, 241]


# -- forecast: what is wrong, said before anything is predicted ----------------------------------
@pytest.fixture(scope="module")
def covariate_model():
    data = calendar_sales()
    X, y = make_supervised(data, target="sales", horizon=3, future="holiday")
    return data, ridge().fit(X[["sales", "holiday_t+1", "holiday_t+2", "holiday_t+3"]], y)


def test_missing_future_covariates(covariate_model):
    data, model = covariate_model
    with pytest.raises(ValueError, match=r"need the values of 'holiday' at the 3 date.*future is"):
        forecast(model, data, target="sales")
    dates = future_dates(data.index, 3)
    with pytest.raises(ValueError, match="future has only 'weekend'"):
        forecast(model, data, target="sales", future=calendar_of(dates)[["weekend"]])
    with pytest.raises(ValueError, match="future has 2 row\\(s\\) dated after the end"):
        forecast(model, data, target="sales", future=calendar_of(dates[:2]))
    gap = calendar_of(dates)
    gap.iloc[1, 0] = np.nan
    with pytest.raises(ValueError, match="no value of 'holiday' on 2023-08-31"):
        forecast(model, data, target="sales", future=gap)
    with pytest.raises(ValueError, match="'holiday' hold values that are not numbers"):
        forecast(model, data, target="sales", future=calendar_of(dates).assign(holiday="yes"))


def test_rows_of_future_before_the_end_are_ignored(covariate_model):
    data, model = covariate_model
    dates = future_dates(data.index, 3)
    calendar = calendar_of(data.index[-5:].append(dates))
    pd.testing.assert_frame_equal(
        forecast(model, data, target="sales", future=calendar),
        forecast(model, data, target="sales", future=calendar_of(dates)),
    )


def test_more_steps_than_a_direct_model_forecasts(covariate_model):
    data, model = covariate_model
    future = calendar_of(future_dates(data.index, 5))
    with pytest.raises(ValueError, match="forecasts 3 steps at once"):
        forecast(model, data, target="sales", steps=5, future=future)


def test_recursion_needs_every_other_input():
    data = calendar_sales()
    X, y = make_supervised(data, target="sales")
    model = ridge().fit(X, y)
    with pytest.raises(ValueError, match=r"'holiday', 'weekend' are not in future.*horizon=4"):
        forecast(model, data, target="sales", steps=4)
    result = forecast(
        model, data, target="sales", steps=4, future=calendar_of(future_dates(data.index, 4))
    )
    assert len(result) == 4


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(history=np.zeros((5, 1))), TypeError, "history must be a DataFrame"),
        (dict(target="price"), ValueError, "target='price' is not a column"),
        (dict(steps=0), ValueError, "steps must be an integer >= 1"),
        (dict(future=[1, 2]), TypeError, "future must be a DataFrame"),
        (dict(group="store"), ValueError, "group='store' is not a column"),
        (
            dict(history=calendar_sales(60)[["sales"]].assign(store=["a"] * 59 + [None])),
            ValueError,
            "group column 'store' of history has 1 missing series id",
        ),
    ],
)
def test_argument_errors(kwargs, error, match):
    data = calendar_sales(60)[["sales"]]
    X, y = make_supervised(data, target="sales")
    if "store" in getattr(kwargs.get("history"), "columns", []):
        kwargs = kwargs | {"group": "store"}
    arguments = dict(model=ridge().fit(X, y), history=data, target="sales") | kwargs
    with pytest.raises(error, match=match):
        forecast(**arguments)


def test_a_model_without_the_target_as_input():
    data = calendar_sales(60)
    X, y = make_supervised(data, target="sales")
    model = ridge().fit(X[["holiday"]], y)
    with pytest.raises(ValueError, match="does not take target='sales'"):
        forecast(model, data, target="sales")


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("MS", ["2022-07-01", "2022-08-01", "2022-09-01"]),
        ("ME", ["2022-07-31", "2022-08-31", "2022-09-30"]),
        ("QS", ["2027-07-01", "2027-10-01", "2028-01-01"]),
    ],
)
def test_future_dates_stay_on_the_calendar_across_a_gap(freq, expected):
    dates = pd.date_range("2020-01-01", periods=30, freq=freq).delete(25)
    assert future_dates(dates, 3).strftime("%Y-%m-%d").tolist() == expected

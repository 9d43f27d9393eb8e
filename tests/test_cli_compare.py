"""``skrnn compare`` and ``skrnn demo``, and the plots of the commands."""

import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error

from skrnn.cli import build_parser, main
from skrnn.cli._output import RECENT, plot_comparison, plot_holdout
from skrnn.cli._parser import BASELINES, NETWORKS
from skrnn.cli.compare import compare
from skrnn.datasets import load_stock

matplotlib.use("Agg")
import matplotlib.pyplot as plt

TINY = ["--epochs", "2", "--hidden-size", "4", "--window", "5", "--quiet"]
N_ROWS = 300
NETWORK_KEYS = list(NETWORKS)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def prices():
    return load_stock("IBM").iloc[-N_ROWS:]


@pytest.fixture(scope="module")
def csv_path(prices, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "ibm.csv"
    prices.to_csv(path)
    return path


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def holdout(prices, test_size=0.3):
    """Independent reference: first hold-out row, its last closes and next closes."""
    close = prices["Close"].to_numpy()
    n_rows = len(prices) - 1
    test_start = n_rows - int(np.ceil(test_size * n_rows))
    return test_start, close[test_start:n_rows], close[test_start + 1 :]


def test_compare_trains_every_model(csv_path, prices, tmp_path, capsys):
    """Each network is trained, and differently: unlike a hand-written comparison loop that
    steps a single optimizer, no two networks share weights or forecasts."""
    forecasts_path, table_path = tmp_path / "forecasts.csv", tmp_path / "table.csv"
    status, out, err = run(
        capsys, "compare", csv_path, "--target", "Close", *TINY, "--cv", "2",
        "--no-early-stopping", "--predictions", forecasts_path, "--table", table_path,
    )  # fmt: skip
    assert status == 0, err
    table = pd.read_csv(table_path)
    assert list(table["model"]) == [*BASELINES.values()] + [
        NETWORKS[key][0] for key in NETWORK_KEYS
    ]
    networks = table.iloc[len(BASELINES) :]
    assert (networks["epochs"] == 2).all()  # every network ran its epochs in the refit
    assert table.loc[0, "MAE / persistence"] == pytest.approx(1.0)
    forecasts = pd.read_csv(forecasts_path, parse_dates=["origin", "target_date"])
    assert list(forecasts.columns) == [
        "origin", "target_date", "truth", *BASELINES, *NETWORK_KEYS,
    ]  # fmt: skip
    # Each row is dated by the forecast's origin and by the date it forecasts.
    test_start, _, next_close = holdout(prices)
    np.testing.assert_array_equal(forecasts["origin"], prices.index[test_start:-1])
    np.testing.assert_array_equal(forecasts["target_date"], prices.index[test_start + 1 :])
    np.testing.assert_allclose(forecasts["truth"], next_close)
    for first, second in itertools.combinations(["persistence", *NETWORK_KEYS], 2):
        assert not np.allclose(forecasts[first], forecasts[second]), (first, second)
    # The table's MAE is that of the saved forecasts.
    for key, (_, row) in zip([*BASELINES, *NETWORK_KEYS], table.iterrows(), strict=True):
        assert row["MAE"] == pytest.approx(mean_absolute_error(forecasts["truth"], forecasts[key]))
    for label in table["model"]:
        assert label in out


def parse(*argv):
    return build_parser().parse_args(["compare", "x.csv", "--target", "Close", *TINY, *argv])


def test_compare_tunes_on_the_training_rows_only(prices):
    args = parse("--window", "3", "6", "--models", "persistence", "ridge", "gru", "--cv", "2")
    result = compare(prices, list(prices.columns), args, "prices")
    test_start, last_close, next_close = holdout(prices)
    assert result.n_train == result.test_start == test_start
    for key in ("ridge", "gru"):
        search = result.searches[key]
        assert search.cv.n_splits == 2
        assert len(search.cv_results_["params"]) == 2  # windows 3 and 6
        assert search.best_estimator_["scale"].n_samples_seen_ == test_start
    gru = result.searches["gru"].best_estimator_[-1]
    assert len(gru.history_) == gru.n_iter_ <= 2
    assert gru.device == "cpu"
    np.testing.assert_allclose(result.forecasts["persistence"], last_close)
    np.testing.assert_allclose(result.forecasts["truth"], next_close)


def test_compare_with_features_that_leave_out_the_target(prices):
    """Persistence still forecasts from the target; the other models see only --features."""
    args = parse("--models", "persistence", "ridge", "--cv", "2", "--features", "Volume")
    result = compare(prices, ["Volume"], args, "prices")
    _, last_close, _ = holdout(prices)
    np.testing.assert_allclose(result.forecasts["persistence"], last_close)
    ridge = result.searches["ridge"].best_estimator_
    assert ridge.steps[0][0] == "select"
    assert ridge["scale"].n_features_in_ == 1


def test_compare_passes_the_device(prices):
    args = parse("--models", "persistence", "gru", "--cv", "2", "--device", "cpu")
    result = compare(prices, list(prices.columns), args, "prices")
    assert result.searches["gru"].best_estimator_[-1].device == "cpu"


def test_compare_plot(csv_path, tmp_path, capsys):
    plot = tmp_path / "comparison.png"
    status, _, err = run(
        capsys, "compare", csv_path, "--target", "Close", *TINY, "--cv", "2",
        "--models", "persistence", "ridge", "lstm", "--plot", plot,
    )  # fmt: skip
    assert status == 0, err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_writes_its_outputs(tmp_path, capsys):
    out_dir = tmp_path / "demo"
    status, out, err = run(
        capsys, "demo", "--output-dir", out_dir, *TINY, "--cv", "2",
        "--models", "persistence", "ridge", "gru",
    )  # fmt: skip
    assert status == 0, err
    for name in ("comparison.csv", "predictions.csv", "comparison.png"):
        assert (out_dir / name).stat().st_size > 0
        assert str(out_dir / name) in out
    table = pd.read_csv(out_dir / "comparison.csv")
    assert list(table["model"]) == ["Persistence", "Ridge on lags", "GRU"]
    assert 'load_stock("IBM")' in out


# -- the plots --------------------------------------------------------------------------------
def comparison(maes, n_rows=200):
    """A results table and forecasts as compare makes them, with the given MAEs."""
    dates = pd.bdate_range("2020-01-01", periods=n_rows + 1)
    truth = 100 + np.cumsum(np.random.default_rng(0).normal(size=n_rows))
    keys = list(maes)
    labels = {**BASELINES, **{key: label for key, (label, _, _) in NETWORKS.items()}}
    table = pd.DataFrame(
        {"model": [labels[key] for key in keys], "MAE": list(maes.values())}, index=keys
    )
    table["MAE / persistence"] = table["MAE"] / table.loc["persistence", "MAE"]
    forecasts = pd.DataFrame(
        {"truth": truth, **{key: truth + mae for key, mae in maes.items()}}, index=dates[:-1]
    )
    return table, forecasts, dates[1:].to_numpy()


def draw_comparison(maes):
    table, forecasts, dates = comparison(maes)
    return plot_comparison(
        table,
        forecasts,
        dates,
        target="Close",
        horizon=1,
        networks=NETWORKS,
        baselines=BASELINES,
    )


def series_labels(fig):
    return [text.get_text() for text in fig.axes[0].get_legend().get_texts()]


def test_comparison_names_the_target_and_the_networks_the_best_ties_with():
    fig = draw_comparison(
        {"persistence": 1.0, "ridge": 1.2, "rnn": 1.0, "lstm": 1.0, "gru": 1.0, "birnn": 1.5}
    )
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Close"
    assert ax.get_xlabel() == "target date"
    labels = series_labels(fig)
    assert "RNN (tanh), best network (tied with LSTM, GRU) (MAE 1)" in labels
    assert any(label.startswith("Ridge on lags") for label in labels)
    assert "the last 120 of 200 hold-out rows" in ax.get_title()
    assert len(ax.get_lines()[0].get_xdata()) == RECENT


def test_comparison_with_many_ties_and_a_clear_winner():
    ties = {"persistence": 1.0, **dict.fromkeys(["rnn", "rnn-relu", "deep-rnn", "lstm"], 0.9)}
    labels = series_labels(draw_comparison(ties))
    assert "RNN (tanh), best network (tied with RNN (relu), Deep RNN (2 layers) and 1 more)" in (
        " ".join(labels)
    )
    labels = series_labels(draw_comparison({"persistence": 1.0, "rnn": 0.95, "gru": 0.9}))
    assert any(label.startswith("GRU, best network (MAE") for label in labels)
    assert not any("tied" in label for label in labels)


def test_comparison_legend_is_outside_the_data():
    fig = draw_comparison({"persistence": 1.0, "ridge": 1.2, "lstm": 1.0})
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    assert legend.y1 <= ax.get_window_extent().y0  # below the axes


@pytest.mark.parametrize("n_rows", [60, 450])
def test_holdout_plot_of_a_long_hold_out_zooms_in(n_rows):
    dates = pd.date_range("2020-01-02", periods=n_rows, freq="D")
    cycle = 200 + 30 * np.sin(2 * np.pi * np.arange(n_rows + 1) / 7)
    y_test = pd.DataFrame({"sales_t+1": cycle[1:]}, index=dates - pd.Timedelta(days=1))
    fig = plot_holdout(
        y_test,
        cycle[1:] + 1,
        cycle[:-1],
        dates.to_numpy(),
        target="sales",
        name="LSTMRegressor",
        title="t",
    )
    fig.canvas.draw()
    axes = fig.axes
    assert len(axes) == (2 if n_rows > RECENT else 1)
    assert axes[0].get_ylabel() == "sales"
    # Dated by the day forecast, and the legend is the figure's, below every panel.
    np.testing.assert_array_equal(axes[0].get_lines()[0].get_xdata(), dates.to_numpy())
    assert all(ax.get_legend() is None for ax in axes)
    (legend,) = fig.legends
    assert legend.get_window_extent().y1 <= min(ax.get_window_extent().y0 for ax in axes)
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == ["Truth", "LSTMRegressor (MAE 1)", f"Persistence (MAE {_mae(cycle):.4g})"]
    if n_rows > RECENT:
        assert max(line.get_linewidth() for line in axes[0].get_lines()) <= 0.6
        assert len(axes[1].get_lines()[0].get_xdata()) == RECENT
        assert axes[1].get_ylabel() == "sales"


def test_holdout_plot_draws_the_bands_in_both_panels():
    n_rows = 300
    dates = pd.date_range("2020-01-02", periods=n_rows, freq="D")
    truth = 200 + 30 * np.sin(np.arange(n_rows) / 5)
    bands = {0.8: (truth - 2, truth + 2), 0.95: (truth - 5, truth + 5)}
    fig = plot_holdout(
        pd.Series(truth), truth, truth, dates.to_numpy(), target="sales", name="LSTMRegressor",
        title="t", intervals=bands,
    )  # fmt: skip
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert "95% interval (coverage 1.00)" in labels
    assert "80% interval (coverage 1.00)" in labels
    assert [len(ax.collections) for ax in fig.axes] == [2, 2]
    zoomed = fig.axes[1].collections[0].get_paths()[0].vertices
    assert zoomed[:, 1].max() == pytest.approx(truth[-RECENT:].max() + 5)


def test_compare_scores_intervals(csv_path, tmp_path, capsys):
    forecasts_path, plot = tmp_path / "forecasts.csv", tmp_path / "comparison.png"
    status, out, err = run(
        capsys, "compare", csv_path, "--target", "Close", *TINY, "--cv", "2",
        "--models", "persistence", "gru", "--interval", "0.8", "0.95",
        "--predictions", forecasts_path, "--plot", plot,
    )  # fmt: skip
    assert status == 0, err
    header = out.splitlines()[1].split()
    assert header.count("coverage") == 2
    assert "80%" in header
    assert "95%" in header
    assert "interval score: its width plus 2 / (1 - level)" in out
    forecasts = pd.read_csv(forecasts_path)
    for name in ("persistence", "gru"):
        lower, upper = forecasts[f"{name}_lower_95"], forecasts[f"{name}_upper_95"]
        assert (lower <= forecasts[f"{name}_lower_80"]).all()
        assert (forecasts[f"{name}_upper_80"] <= upper).all()
    assert (forecasts["gru_lower_80"] <= forecasts["gru"]).all()
    assert (forecasts["gru"] <= forecasts["gru_upper_80"]).all()
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_trains_quantile_networks_for_intervals(prices):
    args = parse("--models", "persistence", "gru", "--cv", "2", "--interval", "0.9")
    result = compare(prices, list(prices.columns), args, "prices")
    gru = result.searches["gru"].best_estimator_[-1]
    assert gru.loss == "quantile"
    assert gru.quantiles_ == (0.05, 0.5, 0.95)
    assert {"coverage 90%", "interval score 90%"} <= set(result.table.columns)


def _mae(cycle):
    return float(np.mean(np.abs(cycle[1:] - cycle[:-1])))


def test_the_warnings_of_many_fits_are_summarised():
    import warnings

    from skrnn.cli.compare import _summarise

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fit in range(3):
            warnings.warn(f"fit {fit} kept its start", UserWarning, stacklevel=1)
        warnings.warn("diverged", RuntimeWarning, stacklevel=1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _summarise(caught)
    assert [(warning.category, str(warning.message)) for warning in record] == [
        (UserWarning, "fit 0 kept its start (2 more UserWarning from the other fits.)"),
        (RuntimeWarning, "diverged"),
    ]


# -- many series (--group) --------------------------------------------------------------------
PANEL_LENGTHS = {"S0": 40, "S1": 52, "S2": 46, "S3": 61}


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory):
    """Monthly series of different lengths, levels and start dates, rows shuffled."""
    rng = np.random.default_rng(0)
    frames = []
    for k, (name, n) in enumerate(PANEL_LENGTHS.items()):
        dates = pd.date_range("2015-01-31", periods=n, freq="ME") + pd.offsets.MonthEnd(k)
        level = 10.0 ** (k + 1)
        values = level * (3 + np.sin(2 * np.pi * np.arange(n) / 12) + 0.1 * rng.normal(size=n))
        frames.append(pd.DataFrame({"Date": dates, "store": name, "sales": values}))
    panel = pd.concat(frames, ignore_index=True)
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    panel.sample(frac=1, random_state=0).to_csv(path, index=False)
    return path, panel


def test_compare_many_series_holds_out_the_last_values_of_each(panel_csv, tmp_path, capsys):
    path, panel = panel_csv
    forecasts_path, plot = tmp_path / "forecasts.csv", tmp_path / "panel.png"
    status, out, err = run(
        capsys, "compare", path, "--target", "sales", "--group", "store", "--horizon", "3",
        "--models", "persistence", "gru", *TINY, "--cv", "2",
        "--predictions", forecasts_path, "--plot", plot,
    )  # fmt: skip
    assert status == 0, err
    assert "sales of 4 series (--group store), 3 steps ahead" in out
    assert "scored on the last 3 values of each" in out
    assert out.splitlines()[1].split()[:6] == ["model", "best", "params", "MAE", "RMSE", "sMAPE"]
    written = pd.read_csv(forecasts_path, parse_dates=["origin", "target_date"])
    assert list(written.columns) == [
        "store", "origin", "step", "target_date", "truth", "persistence", "gru",
    ]  # fmt: skip
    assert len(written) == 3 * len(PANEL_LENGTHS)
    for name, rows in written.groupby("store"):
        series = panel[panel["store"] == name]
        # One origin, the last training value; its forecasts are of the last 3 values.
        assert (rows["origin"] == series["Date"].iloc[-4]).all()
        np.testing.assert_array_equal(rows["target_date"], series["Date"].iloc[-3:])
        np.testing.assert_allclose(rows["truth"], series["sales"].iloc[-3:])
        np.testing.assert_allclose(rows["persistence"], series["sales"].iloc[-4])
    # The table's sMAPE is that of the saved forecasts.
    smape = 200 * np.mean(
        np.abs(written["truth"] - written["persistence"])
        / (written["truth"].abs() + written["persistence"].abs())
    )
    persistence_row = next(line for line in out.splitlines() if line.startswith("Persistence"))
    assert float(persistence_row.split()[4]) == pytest.approx(smape, abs=0.005)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_many_series_trains_one_network_on_all(panel_csv):
    path, panel = panel_csv
    frame = panel.set_index("Date")
    args = build_parser().parse_args(
        ["compare", str(path), "--target", "sales", "--group", "store", "--horizon", "2",
         "--models", "persistence", "lstm", *TINY, "--cv", "2"]
    )  # fmt: skip
    result = compare(frame, ["sales"], args, "panel")
    model = result.searches["lstm"].best_estimator_
    assert [name for name, _ in model.steps] == ["window", "model"]  # no global scaler
    assert model["window"].group == "store"
    # Trained on every series, less its last 2 values (the hold-out) and a gap of 1 row.
    assert result.n_train == sum(n - 2 - 1 - 1 for n in PANEL_LENGTHS.values())


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--models", "ridge"], "--models ridge: with --group"),
        (["--horizon", "20"], "series of {path} are too short to hold out its last --horizon 20"),
        (["--group", "region"], "--group 'region' is not a column"),
        (["--target", "store"], "--target 'store' is the --group column"),
    ],
)
def test_compare_many_series_errors(extra, fragment, panel_csv, capsys):
    path, _ = panel_csv
    argv = ["compare", path, "--target", "sales", "--group", "store", *TINY, *extra]
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert "Traceback" not in err
    assert fragment.format(path=path) in err, err


def test_a_file_of_many_series_without_group_names_the_option(panel_csv, capsys):
    path, _ = panel_csv
    status, _, err = run(capsys, "compare", path, "--target", "sales", *TINY)
    assert status == 1
    assert "repeated dates" in err
    assert "needs --group COLUMN" in err

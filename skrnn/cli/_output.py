"""What the commands write: text tables, output paths, and the plots.

matplotlib is imported only to draw, and with the Agg backend: plots go to files, so no
display is needed.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error

from skrnn._io import write_replacing
from skrnn.plotting import ForecastDisplay

# A plot shows at most this many hold-out rows in full detail: a year of daily data drawn
# in a few inches of width is one solid band.
RECENT = 120

_FORMATS = {
    "MAPE %": "{:.2f}",
    "sMAPE": "{:.2f}",
    "MAE / persistence": "{:.3f}",
    "fit s": "{:.1f}",
    "coverage": "{:.3f}",
}


def _format(column, values):
    """How a column's numbers are written: by name (coverage columns by prefix), else by
    type."""
    for name, fmt in _FORMATS.items():
        if column == name or (name == "coverage" and str(column).startswith("coverage")):
            return fmt
    return "{:.4f}" if pd.api.types.is_float_dtype(values) else "{}"


def format_table(table):
    """A results table as text: text columns left-aligned, numbers right-aligned."""
    lines = []
    for column in table.columns:
        values = table[column]
        numeric = pd.api.types.is_numeric_dtype(values)
        fmt = _format(column, values)
        cells = ["-" if pd.isna(value) else fmt.format(value) for value in values]
        width = max(len(str(column)), *map(len, cells))
        align = str.rjust if numeric else str.ljust
        lines.append([align(str(column), width), *(align(cell, width) for cell in cells)])
    return "\n".join("  ".join(row).rstrip() for row in zip(*lines, strict=True))


def params_text(params):
    """Best parameters as ``window=7, lr=0.001`` (step prefixes dropped)."""
    if not params:
        return "-"
    return ", ".join(
        f"{name.split('__')[-1]}={_number(value)}" for name, value in sorted(params.items())
    )


def _number(value):
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f"{value:g}" if numeric else value


def write_output(path, option, write, mode="w"):
    """``write(file)`` into output `path` (given as `option`), replacing it only once
    written in full: a failed write leaves the user's earlier file as it was."""
    try:
        write_replacing(path, write, mode)
    except OSError as exc:
        raise OSError(f"{option} {path}: could not write it ({exc.strerror or exc}).") from None


def check_outputs_differ(outputs):
    """Two output options naming one file would overwrite each other: fail first.
    `outputs` maps option to path (or None)."""
    seen = {}
    for option, path in outputs.items():
        if not path:
            continue
        key = Path(path).resolve()
        if key in seen:
            raise ValueError(
                f"{seen[key]} and {option} name the same file, {path}: one would overwrite "
                "the other. Choose two paths."
            )
        seen[key] = option


def check_output(path, option, args):
    """The directory of an output file exists and the file is none of the files the command
    reads (``args.data``, ``args.model``): fail before the work, and never overwrite the
    user's data or model."""
    target = Path(path).resolve()
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{option} {path}: directory {target.parent} does not exist.")
    if target.is_dir():
        raise IsADirectoryError(f"{option} {path} is a directory: name a file in it.")
    for what, source in (("data file", "data"), ("--model", "model"), ("--future file", "future")):
        source = getattr(args, source, None)
        if source and source != "-" and Path(source).resolve() == target:
            raise ValueError(
                f"{option} {path} is the {what} this command reads: writing there would "
                "overwrite it. Choose another path."
            )


def check_matplotlib(option, path=None):
    """matplotlib is installed (set to draw to files) and can write `path`'s format, or an
    error naming `option`."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f"{option} needs matplotlib: pip install matplotlib.") from None
    matplotlib.use("Agg")
    if path is None:
        return
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix not in formats:
        kind = f".{suffix} files" if suffix else "a file without an extension"
        raise ValueError(
            f"{option} {path}: matplotlib cannot write {kind}; end the name in one of "
            f"{', '.join('.' + f for f in sorted(formats))}."
        )


def save_figure(fig, path):
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)


def _legend_below(fig, ax, ncols=3):
    """The legend of `ax` below the figure's plots, where it can hide no data."""
    handles, labels = ax.get_legend_handles_labels()
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False)


def _shrink_lines(ax, linewidth):
    for line in ax.get_lines():
        line.set_linewidth(min(line.get_linewidth(), linewidth))


def plot_holdout(y_test, y_pred, y_base, dates, *, target, name, title, intervals=None):
    """Truth, forecast and persistence over the hold-out, one step ahead, dated by target,
    with the forecast's `intervals` (``{level: (lower, upper)}``) as bands.

    Returns the figure. A long hold-out gets two panels: all of it with thin lines (the
    legend's MAE is over all of it, as in the table), and its last :data:`RECENT` rows in
    detail.
    """
    import matplotlib.pyplot as plt

    truth = _first_output(y_test)
    pred, base = _first_output(y_pred), _first_output(y_base)
    index = pd.DatetimeIndex(dates, name="target date")
    long = len(truth) > RECENT
    fig, axes = plt.subplots(
        2 if long else 1,
        1,
        figsize=(9, 7 if long else 4.5),
        squeeze=False,
        layout="constrained",
        height_ratios=[1, 1] if long else None,
    )
    bands = {
        level: tuple(_first_output(bound).to_numpy() for bound in bounds)
        for level, bounds in (intervals or {}).items()
    }
    display = ForecastDisplay.from_predictions(
        pd.Series(truth.to_numpy(), index=index, name=target),
        pred,
        baseline=base,
        name=name,
        intervals=bands or None,
        ax=axes[0, 0],
    )
    _legend_below(fig, display.ax_)  # before thinning the lines: the legend keeps them thick
    if long:
        _shrink_lines(display.ax_, 0.6)
        display.ax_.set_title(f"the whole hold-out: {len(truth)} rows", fontsize="medium")
        recent = slice(len(truth) - RECENT, None)
        display.ax_.axvspan(index[recent][0], index[-1], color="0.9", zorder=0)
        zoom = axes[1, 0]
        for key, line in display.lines_.items():
            values = {"true": truth, "pred": pred, "baseline": base}[key]
            zoom.plot(
                index[recent],
                np.asarray(values)[recent],
                color=line.get_color(),
                linestyle=line.get_linestyle(),
                linewidth=1.5 if key == "true" else 1.2,
            )
        for level, band in display.bands_.items():
            lower, upper = bands[level]
            zoom.fill_between(
                index[recent],
                lower[recent],
                upper[recent],
                color=band.get_facecolor()[0],
                linewidth=0,
            )
        zoom.set_title(f"its last {RECENT} rows (shaded above)", fontsize="medium")
        zoom.set_ylabel(display.ax_.get_ylabel())
        zoom.set_xlabel(display.ax_.get_xlabel())
        _date_axis(zoom)
    fig.suptitle(title)
    return fig


def _first_output(values):
    """The one-step-ahead column of a forecast (a Series keeps its name)."""
    if isinstance(values, pd.DataFrame):
        return values.iloc[:, 0].rename(values.columns[0])
    if isinstance(values, pd.Series):
        return values
    array = np.asarray(values)
    return pd.Series(array.reshape(len(array), -1)[:, 0])


def _date_axis(ax):
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def best_label(keys, labels, mae, networks):
    """The key of the best network and its legend label, naming the networks it ties with.

    Networks that kept their starting point forecast the same thing; picking one of them as
    "best" without saying so would suggest a winner where there is none.
    """
    best = min(networks, key=mae.get)
    ties = [
        key
        for key in keys
        if key in networks and key != best and math.isclose(mae[key], mae[best], rel_tol=1e-6)
    ]
    label = f"{labels[best]}, best network"
    if ties:
        named = [labels[key] for key in ties[:2]]
        more = f" and {len(ties) - 2} more" if len(ties) > 2 else ""
        label += f" (tied with {', '.join(named)}{more})"
    return best, label


def plot_comparison(
    table, forecasts, dates, *, target, horizon, networks, baselines, intervals=None
):
    """The last hold-out rows (truth, persistence, ridge, best network) and every MAE.

    `table` is indexed by model key with a ``model`` column of labels; `forecasts` has a
    column per key (``<key>_t+1`` for a multi-step forecast) and ``truth``, and with
    `intervals` (levels) the bounds ``<key>_lower_<level in %>`` and ``_upper_``, drawn
    as bands around the main model; `dates` are the target dates of its rows. Returns the
    figure.
    """
    import matplotlib.pyplot as plt

    keys = list(table.index)
    labels = dict(zip(keys, table["model"], strict=True))
    mae = dict(zip(keys, table["MAE"], strict=True))
    step = "" if horizon == 1 else "_t+1"
    in_table = [key for key in keys if key in networks]
    if in_table:
        main_key, main_label = best_label(keys, labels, mae, in_table)
    else:
        main_key, main_label = keys[0], labels[keys[0]]
    fig, (ax_series, ax_bars) = plt.subplots(
        2, 1, figsize=(9, 8.5), height_ratios=[3, 2], layout="constrained"
    )
    recent = forecasts.iloc[-RECENT:]
    x = pd.DatetimeIndex(dates[-len(recent) :], name="target date")
    truth = pd.Series(recent[f"truth{step}"].to_numpy(), index=x, name=target)
    baseline = None if main_key == "persistence" else recent.get(f"persistence{step}")
    bands = {
        level: tuple(
            recent[f"{main_key}_{side}_{100 * level:g}{step}"].to_numpy()
            for side in ("lower", "upper")
        )
        for level in intervals or ()
    }
    display = ForecastDisplay.from_predictions(
        truth,
        recent[f"{main_key}{step}"].to_numpy(),
        baseline=None if baseline is None else baseline.to_numpy(),
        name=main_label,
        intervals=bands or None,
        ax=ax_series,
    )
    if "ridge" in labels and main_key != "ridge":
        ridge = recent[f"ridge{step}"].to_numpy()
        display.ax_.plot(
            x,
            ridge,
            color="tab:green",
            linewidth=1.0,
            label=f"{labels['ridge']} (MAE {mean_absolute_error(truth, ridge):.4g})",
        )
    # Under its own panel, not under the bars: the legend belongs to the lines.
    long_label = max(len(label) for label in ax_series.get_legend_handles_labels()[1]) > 50
    ax_series.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=1 if long_label else 2,
        frameon=False,
        fontsize="small",
    )
    ahead = "" if horizon == 1 else ", 1 step ahead"
    shown = (
        f"the last {len(recent)} of {len(forecasts)} hold-out rows"
        if len(recent) < len(forecasts)
        else f"the {len(recent)} hold-out rows"
    )
    ax_series.set_title(f"{target}: {shown}{ahead} (MAE over these rows)", fontsize="medium")

    column = "MAE / persistence" if "MAE / persistence" in table else "MAE"
    values = table[column].to_numpy(dtype=float)
    colors = ["tab:gray" if key in baselines else "tab:blue" for key in keys]
    log = values.max() / values.min() > 5
    base = values.min() / 1.5 if log else 0.0
    bars = ax_bars.barh(table["model"], values - base, left=base, color=colors)
    ax_bars.bar_label(bars, labels=[f"{value:.3f}" for value in values], padding=3)
    ax_bars.invert_yaxis()
    if log:
        ax_bars.set_xscale("log")
    if column == "MAE / persistence":
        ax_bars.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax_bars.set_xlim(right=values.max() * (3 if log else 1.15))
    scale = ", log scale" if log else ""
    ax_bars.set_xlabel(f"{column} on the whole hold-out (lower is better{scale})")
    return fig


# A comparison over many series draws this many of them.
PANEL_SERIES = 4


def plot_panel_comparison(table, dated, frame, *, group, target, networks, baselines):
    """The hold-out of the first :data:`PANEL_SERIES` series (with the values before it,
    persistence and the best network) above every model's sMAPE.

    `dated` holds the forecasts one line per series, origin and step (``truth`` and a
    column per model key); `frame` the series as read. A series forecast from one origin
    shows every step; one forecast from many origins shows their first steps.
    """
    import matplotlib.pyplot as plt

    keys = list(table.index)
    labels = dict(zip(keys, table["model"], strict=True))
    in_table = [key for key in keys if key in networks]
    if in_table:
        main_key, main_label = best_label(keys, labels, dict(table["sMAPE"]), in_table)
    else:
        main_key, main_label = keys[0], labels[keys[0]]
    shown = list(dict.fromkeys(dated[group]))[:PANEL_SERIES]
    fig = plt.figure(figsize=(10, 9), layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=[1, 1, 1.1])
    for k, series in enumerate(shown):
        ax = fig.add_subplot(grid[k // 2, k % 2])
        rows = dated[dated[group] == series]
        if rows["origin"].nunique() > 1:
            rows = rows[rows["step"] == 1]
        history = frame.loc[frame[group] == series, target]
        before = history[history.index <= rows["origin"].iloc[0]].iloc[-2 * len(rows) :]
        ax.plot(before.index, before.to_numpy(), color="0.4", linewidth=1, label="History")
        x = pd.DatetimeIndex(rows["target_date"])
        ax.plot(x, rows["truth"], color="black", linewidth=1.5, label="Truth")
        if "persistence" in rows and main_key != "persistence":
            ax.plot(x, rows["persistence"], "--", color="tab:gray", label=labels["persistence"])
        ax.plot(x, rows[main_key], color="tab:blue", label=main_label)
        ax.set_title(f"{group} = {series}", fontsize="medium")
        _date_axis(ax)
    handles, legend_labels = fig.axes[0].get_legend_handles_labels()
    bars = fig.add_subplot(grid[2, :])
    values = table["sMAPE"].to_numpy(dtype=float)
    colors = ["tab:gray" if key in baselines else "tab:blue" for key in keys]
    drawn = bars.barh(table["model"], values, color=colors)
    bars.bar_label(drawn, labels=[f"{value:.2f}" for value in values], padding=3)
    bars.invert_yaxis()
    bars.set_xlim(right=values.max() * 1.15)
    bars.set_xlabel("sMAPE (%) over every series and step of the hold-out (lower is better)")
    fig.legend(handles, legend_labels, loc="outside lower center", ncols=4, frameon=False)
    fig.suptitle(f"{target}: the hold-out of {len(shown)} of {dated[group].nunique()} series")
    return fig

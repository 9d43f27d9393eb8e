"""Per-window scaling of the target: what makes one network fit series of any size. No torch.

Series of a panel range from tens to tens of thousands (M3's do); a global scaler lets the
largest dominate the loss and leaves the smallest at the resolution of noise. Here every
window is scaled by itself, from the target's own past in it: its inputs and its targets
are the series relative to its recent level, and predictions are mapped back with the same
window's statistics, so they come back in each series' units.

Two scalings:

- ``"log"``, for a target that is positive: the log of the values minus ``offset``, the mean
  log of the window's last `season` values. Inputs and targets are relative changes from the
  current level; a multiplicative season or trend becomes additive.
- ``"mean"``, for any target (zeros and negative values included): the values minus
  ``offset``, the mean of the window's last `season` values, divided by ``scale``, the mean
  absolute value over the window (1 where that is 0).

The torch module applies the same formulas to the target feature of its input windows, from
the statistics computed here (``norm``, one (offset, scale) pair per window).
"""

from dataclasses import dataclass

import numpy as np

# In log scaling, values are floored at this fraction of the window's mean absolute value
# (a non-positive value at prediction time would otherwise have no logarithm).
LOG_FLOOR = 1e-3
_CHUNK_ELEMENTS = 1 << 20
_MAX_LOG = np.log(np.finfo(np.float64).max)


@dataclass(frozen=True)
class WindowScaling:
    """How the target `feature` of each window (and its targets) is scaled.

    ``slope * x + intercept`` maps the feature to the target's units (the persistence map:
    the identity unless a scaler sits before SlidingWindow).
    """

    kind: str  # "log" or "mean"
    feature: int
    season: int = 1
    slope: float = 1.0
    intercept: float = 0.0

    def target_units(self, values):
        return values * self.slope + self.intercept

    def norm(self, windows):
        """Per-window statistics ``(n_samples, 2)``: offset and, for "mean", the scale;
        for "log", the floor below which values are clipped."""
        out = np.empty((len(windows), 2))
        step = max(1, _CHUNK_ELEMENTS // windows.window)
        steps = np.arange(windows.window)
        for start in range(0, len(windows), step):
            index = np.arange(start, min(start + step, len(windows)))
            values = self.target_units(windows.rows(index, self.feature).astype(np.float64))
            lengths = windows.lengths[index]
            real = steps >= (windows.window - lengths)[:, None]
            recent = steps >= (windows.window - np.minimum(lengths, self.season))[:, None]
            magnitude = np.where(real, np.abs(values), 0.0).sum(axis=1) / lengths
            if self.kind == "log":
                _check_not_negative(values, real, magnitude)
                floor = np.where(magnitude > 0, LOG_FLOOR * magnitude, LOG_FLOOR)
                logs = np.log(np.maximum(values, floor[:, None]))
                offset = np.where(recent, logs, 0.0).sum(axis=1) / recent.sum(axis=1)
                out[index] = np.column_stack([offset, floor])
            else:
                offset = np.where(recent, values, 0.0).sum(axis=1) / recent.sum(axis=1)
                scale = np.where(magnitude > 0, magnitude, 1.0)
                out[index] = np.column_stack([offset, scale])
        return out

    def transform(self, values, norm):
        """Values (n, ...) of the target in the scaled units of windows with `norm`."""
        offset, second = (norm[:, k].reshape(-1, *([1] * (values.ndim - 1))) for k in (0, 1))
        if self.kind == "log":
            return np.log(np.maximum(values, second)) - offset
        return (values - offset) / second

    def inverse(self, scaled, norm):
        """Scaled predictions (n, n_outputs) back in the target's units."""
        offset, second = norm[:, :1], norm[:, 1:]
        if self.kind == "log":  # clipped to the float64 range: a forecast is never inf
            return np.exp(np.minimum(scaled + offset, _MAX_LOG))
        return scaled * second + offset


def _check_not_negative(values, real, magnitude):
    """Refuse windows with negative values of the target (beyond round-off, of the window's
    values or of the persistence map, which sends a zero to a tiny nonzero value): flooring
    them would forecast a series below zero as a small positive one."""
    round_off = 1e-6 * (magnitude + magnitude.mean())
    negative = real & (values < -round_off[:, None])
    if negative.any():
        rows = int(negative.any(axis=1).sum())
        raise ValueError(
            f"window_scaling_='log' takes the log of the target's past values, but {rows} "
            f"window(s) of X hold negative values of it (smallest {values[negative].min():.4g})"
            ": a log-scaled model forecasts positive series. For series that go below zero, "
            "fit one with window_scaling='mean'."
        )


class ScaledWindows:
    """A view of CompactWindows whose target feature is in the scaled units of each window,
    for the closed-form fits of the skip connection and the scale of the network's inputs
    (which read windows through `rows`)."""

    def __init__(self, windows, scaling, norm):
        self.windows, self.scaling, self.norm = windows, scaling, norm
        self.window = windows.window
        self.lengths = windows.lengths
        self.groups = windows.groups

    def __len__(self):
        return len(self.windows)

    @property
    def n_features(self):
        return self.windows.n_features

    def positions(self):
        return self.windows.positions()

    def successors(self, k):
        return self.windows.successors(k)

    def subset(self, index):
        return ScaledWindows(self.windows.subset(index), self.scaling, self.norm[index])

    def rows(self, index, feature=None):
        values = self.windows.rows(index).astype(np.float64)
        j, scaling = self.scaling.feature, self.scaling
        values[:, :, j] = scaling.transform(scaling.target_units(values[:, :, j]), self.norm[index])
        return values if feature is None else values[:, :, feature]

    def last(self):
        values = self.windows.last().astype(np.float64)
        j, scaling = self.scaling.feature, self.scaling
        values[:, j] = scaling.transform(scaling.target_units(values[:, j]), self.norm)
        return values


# Windows input_rms reads at most, evenly spaced over the training rows: enough for a
# scale, and the same cost on a panel of a million windows.
INPUT_RMS_ROWS = 4096


def input_rms(windows, *, center):
    """Root mean square of each feature over the real steps of `windows` (centred on each
    window's last step with `center`), as the network reads them: what its inputs are
    divided by (1 for a feature that is zero throughout)."""
    n_rows = min(len(windows), INPUT_RMS_ROWS)
    sample = np.unique(np.linspace(0, len(windows) - 1, n_rows).round().astype(np.int64))
    step = max(1, _CHUNK_ELEMENTS // (windows.window * windows.n_features))
    steps = np.arange(windows.window)
    squares, count = np.zeros(windows.n_features), 0
    for start in range(0, len(sample), step):
        index = sample[start : start + step]
        values = np.asarray(windows.rows(index), dtype=np.float64)
        if center:
            values = values - values[:, -1:]
        real = steps >= (windows.window - windows.lengths[index])[:, None]
        squares += (np.where(real[:, :, None], values, 0.0) ** 2).sum(axis=(0, 1))
        count += int(real.sum())
    rms = np.sqrt(squares / max(count, 1))
    return np.where(np.isfinite(rms) & (rms > 0), rms, 1.0)

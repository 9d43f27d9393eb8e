"""Windows kept as one series plus a start row per sample. No torch here.

SlidingWindow hands out a strided view in which consecutive windows share all but one row.
Copying that view would cost ``window`` times the memory of the series (4 GB for 500,000
rows x 8 features x 256 steps), so the estimators recover the series behind the view and
gather each mini-batch's windows from it. Any other 3-D array is stored as its own rows.
"""

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

_IMPUTE_HINT = "impute missing values first, e.g. with SimpleImputer before SlidingWindow"


@dataclass
class CompactWindows:
    """``window`` consecutive rows of `series` from ``starts[i]`` form sample ``i``.

    `series` is float32 with front padding replaced by 0; ``lengths[i]`` counts the real
    (unpadded) steps of sample ``i``, always at the end of its window.
    """

    series: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    window: int

    def __len__(self):
        return len(self.starts)

    @property
    def n_features(self):
        return self.series.shape[1]

    def rows(self, index, feature=None):
        """Windows of samples `index`: ``(len(index), window, n_features)``, or
        ``(len(index), window)`` of one `feature` (gathering only that feature)."""
        at = self.starts[index, None] + np.arange(self.window)
        return self.series[at] if feature is None else self.series[at, feature]

    def last(self):
        """The most recent observation of every sample, ``(n_samples, n_features)``."""
        return self.series[self.starts + self.window - 1]

    @classmethod
    def from_array(cls, X):
        """Compact a validated 3-D array, checking that NaN only pads windows at the front."""
        n_samples, window, n_features = X.shape
        if n_samples > 0 and X.strides[0] == X.strides[1]:
            # Sample i + 1 starts one row after sample i: the rows of a single series.
            source = as_strided(
                X, shape=(n_samples + window - 1, n_features), strides=X.strides[1:]
            )
            starts = np.arange(n_samples)
        else:
            source = X
            starts = np.arange(n_samples) * window
        with np.errstate(over="ignore"):  # overflow is reported below, in words
            series = np.array(source, dtype=np.float32).reshape(-1, n_features)
        if np.isfinite(series).all():  # the common case: no padding to find
            return cls(series, starts, np.full(n_samples, window, dtype=np.int64), window)
        if np.isinf(series).any() and not np.isinf(source).any():
            raise ValueError(
                "Input X has values too large for float32 (absolute values above "
                f"{np.finfo(np.float32).max:.1e}), the precision the networks compute in; "
                "scale X first, e.g. with StandardScaler before SlidingWindow."
            )
        lengths = _real_lengths(series, starts, window)
        np.nan_to_num(series, copy=False, nan=0.0)
        return cls(series, starts, lengths, window)


def _real_lengths(series, starts, window):
    """Number of real steps per window; raise if NaN/inf is anything but front padding."""
    if np.isinf(series).any():
        raise ValueError(f"Input X contains inf; only finite values are accepted: {_IMPUTE_HINT}.")
    isnan = np.isnan(series)
    row_real = ~isnan.any(axis=1)
    if (isnan.any(axis=1) & ~isnan.all(axis=1)).any():
        raise ValueError(
            "Input X contains NaN inside a time step. NaN is only accepted as front padding "
            "(whole time steps before a window's first observation, as SlidingWindow makes): "
            f"{_IMPUTE_HINT}."
        )
    if row_real.all():
        return np.full(len(starts), window, dtype=np.int64)
    real_before = np.concatenate([[0], np.cumsum(row_real)])  # real rows before row r
    ends = starts + window
    n_real = real_before[ends] - real_before[starts]
    # Front padded: the real rows are exactly the last n_real rows, the last one included.
    tail_real = real_before[ends] - real_before[ends - n_real]
    ok = row_real[ends - 1] & (tail_real == n_real)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        where = "the middle of a window" if row_real[ends[i] - 1] else "a window's last time step"
        raise ValueError(
            f"Input X contains NaN in {where} (sample {i}). NaN is only accepted as front "
            f"padding, before a window's first observation: {_IMPUTE_HINT}."
        )
    return n_real.astype(np.int64)

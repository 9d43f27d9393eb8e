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

    Only the last ``lengths[i]`` steps of sample ``i`` are real; what `series` holds at the
    steps before them is front padding and never read as data (zeros, or the rows of the
    series stored before this one). ``groups[i]``, for windows of many series, is the code
    of the series sample ``i`` belongs to; the samples of one series are in time order.
    ``packed``: every step is real and sample ``i`` is rows ``i * window`` to
    ``(i + 1) * window - 1``, so that `series` reshaped is the 3-D array of the windows
    (windows from an array without padding, a lone window in particular).

    It behaves as the 3-D array ``(n_samples, window, n_features)`` it stands for, with NaN
    front padding: ``np.asarray`` builds that array, indexing the first axis selects
    samples without copying the series. SlidingWindow returns one for many series, which a
    plain strided view cannot represent in O(rows) memory.
    """

    series: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    window: int
    groups: np.ndarray | None = None
    packed: bool = False

    ndim = 3

    def check(self):
        """Raise ValueError unless the fields describe windows inside `series` (for
        instances a user built: the estimators call it on their input)."""
        series, starts, lengths = (np.asarray(a) for a in (self.series, self.starts, self.lengths))
        if series.ndim != 2 or series.dtype.kind not in "biuf":
            raise ValueError(
                "CompactWindows.series must be a 2-D numeric array (n_rows, n_features), got "
                f"shape {series.shape} and dtype {series.dtype}."
            )
        if not (isinstance(self.window, (int, np.integer)) and self.window >= 1):
            raise ValueError(f"CompactWindows.window must be an int >= 1, got {self.window!r}.")
        for name, values in (("starts", starts), ("lengths", lengths)):
            if values.ndim != 1 or values.dtype.kind not in "iu" or len(values) != len(starts):
                raise ValueError(
                    f"CompactWindows.{name} must be a 1-D integer array of one entry per "
                    f"sample ({len(starts)}), got shape {values.shape} and dtype {values.dtype}."
                )
        if len(starts) and (lengths.min() < 1 or lengths.max() > self.window):
            raise ValueError(
                f"CompactWindows.lengths must be between 1 and window={self.window} (the real "
                f"steps of each sample), got values from {lengths.min()} to {lengths.max()}."
            )
        if len(starts) and (starts.min() < 0 or starts.max() + self.window > len(series)):
            raise ValueError(
                f"CompactWindows.starts must leave each window of {self.window} rows inside "
                f"the series' {len(series)} rows, got starts from {starts.min()} to "
                f"{starts.max()}."
            )
        if self.groups is not None and np.shape(self.groups) != starts.shape:
            raise ValueError(
                f"CompactWindows.groups must have one entry per sample ({len(starts)}), got "
                f"shape {np.shape(self.groups)}."
            )

    def __len__(self):
        return len(self.starts)

    @property
    def shape(self):
        return (len(self.starts), self.window, self.series.shape[1])

    @property
    def dtype(self):
        return self.series.dtype

    @property
    def n_features(self):
        return self.series.shape[1]

    def __array__(self, dtype=None, copy=None):
        windows = self.rows(np.arange(len(self))).astype(
            np.result_type(self.series.dtype, np.float32) if dtype is None else dtype
        )
        padded = np.arange(self.window) < (self.window - self.lengths)[:, None]
        windows[padded] = np.nan
        return windows

    def __getitem__(self, key):
        if isinstance(key, tuple) or key is Ellipsis:
            return np.asarray(self)[key]
        index = np.arange(len(self))[key]
        return self.subset(index) if index.ndim == 1 else np.asarray(self.subset([index]))[0]

    def __repr__(self):
        kind = f", {len(np.unique(self.groups))} series" if self.groups is not None else ""
        return f"CompactWindows(shape={self.shape}, dtype={self.dtype}{kind})"

    def rows(self, index, feature=None):
        """Windows of samples `index`: ``(len(index), window, n_features)``, or
        ``(len(index), window)`` of one `feature` (gathering only that feature)."""
        at = self.starts[index, None] + np.arange(self.window)
        return self.series[at] if feature is None else self.series[at, feature]

    def subset(self, index):
        """The samples at `index`, sharing this object's series."""
        index = np.asarray(index)
        groups = None if self.groups is None else self.groups[index]
        return type(self)(self.series, self.starts[index], self.lengths[index], self.window, groups)

    def last(self):
        """The most recent observation of every sample, ``(n_samples, n_features)``."""
        return self.series[self.starts + self.window - 1]

    def positions(self):
        """Each sample's position within its series (0 for its first sample)."""
        if self.groups is None:
            return np.arange(len(self))
        return _positions(self.groups)

    def successors(self, k):
        """``(rows, later)``: every sample with a sample `k` steps later in its series, and
        the index of that later sample."""
        positions = self.positions()
        codes = np.zeros(len(self), dtype=np.int64) if self.groups is None else self.groups
        # Sample index by (series, position): sort once, then step k places along.
        order = np.lexsort((positions, codes))
        ahead = np.arange(len(order) - k) if k < len(order) else np.arange(0)
        same = codes[order[ahead]] == codes[order[ahead + k]]
        same &= positions[order[ahead + k]] == positions[order[ahead]] + k
        return order[ahead[same]], order[ahead[same] + k]

    def real_rows(self):
        """Which rows of `series` are a real step of some sample (not front padding)."""
        real = np.zeros(len(self.series), dtype=bool)
        for length in np.unique(self.lengths):
            at = self.starts[self.lengths == length] + (self.window - length)
            real[(at[:, None] + np.arange(length)).ravel()] = True
        return real

    def as_float32(self):
        """The same windows over a float32 copy of the series, front padding zero-filled:
        what the networks compute on. Checks that the real steps are finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            series = np.array(self.series, dtype=np.float32)
        if not np.isfinite(series).all():
            real = self.real_rows()
            bad = ~np.isfinite(series[real])
            if bad.any():
                raise ValueError(
                    "Input X contains NaN, inf or values too large for float32 in its "
                    f"windows' real steps: {_IMPUTE_HINT}."
                )
            np.nan_to_num(series, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        return type(self)(series, self.starts, self.lengths, self.window, self.groups, self.packed)

    @classmethod
    def from_series(cls, values, codes, window):
        """The window of every row of a long series of many series, O(rows) memory.

        `values` (n_rows, n_features) holds the rows of every series; `codes` (n_rows,)
        the integer code of each row's series, the rows of one series in time order.
        Sample ``i`` is the window that ends at row ``i``: it never reaches into another
        series; rows with less history than `window` are front padded.
        """
        codes = np.asarray(codes)
        order = np.argsort(codes, kind="stable")
        positions = np.empty(len(codes), dtype=np.int64)
        positions[order] = _positions(codes[order])
        # The rows series by series, after window - 1 rows of padding for the first one.
        series = np.zeros((len(codes) + window - 1, values.shape[1]), dtype=values.dtype)
        series[window - 1 :] = values[order]
        starts = np.empty(len(codes), dtype=np.int64)
        starts[order] = np.arange(len(codes))
        lengths = np.minimum(positions + 1, window).astype(np.int64)
        return cls(series, starts, lengths, window, codes)

    @classmethod
    def from_array(cls, X):
        """Compact a validated 3-D array, checking that NaN only pads windows at the front."""
        n_samples, window, n_features = X.shape
        back_to_back = n_samples < 2 or X.strides[0] != X.strides[1]
        if back_to_back:  # samples one after another (a lone window, in particular)
            source = X
            starts = np.arange(n_samples) * window
        else:
            # Sample i + 1 starts one row after sample i: the rows of a single series.
            source = as_strided(
                X, shape=(n_samples + window - 1, n_features), strides=X.strides[1:]
            )
            starts = np.arange(n_samples)
        if source.dtype == np.float32:
            series = np.array(source)
        else:
            with np.errstate(over="ignore"):  # overflow is reported below, in words
                series = np.array(source, dtype=np.float32)
        series = series.reshape(-1, n_features)
        if np.isfinite(series).all():  # the common case: no padding to find
            lengths = np.full(n_samples, window, dtype=np.int64)
            return cls(series, starts, lengths, window, packed=back_to_back)
        if np.isinf(series).any() and not np.isinf(source).any():
            raise ValueError(
                "Input X has values too large for float32 (absolute values above "
                f"{np.finfo(np.float32).max:.1e}), the precision the networks compute in; "
                "scale X first, e.g. with StandardScaler before SlidingWindow."
            )
        lengths = _real_lengths(series, starts, window)
        np.nan_to_num(series, copy=False, nan=0.0)
        return cls(series, starts, lengths, window)


def _positions(codes):
    """Rank of each element among the elements with the same code, in order."""
    codes = np.asarray(codes)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    new = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    first = np.flatnonzero(new)
    counts = np.diff(np.r_[first, len(codes)])
    ranks = np.arange(len(codes)) - np.repeat(first, counts)
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = ranks
    return out


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

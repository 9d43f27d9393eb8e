"""Cross-validation in time for many series: :class:`PanelTimeSeriesSplit`.

scikit-learn's :class:`~sklearn.model_selection.TimeSeriesSplit` splits the rows in the
order given. Stacked series are not one series: it would train on the first series and test
on the last ones, over the whole period. Here every series is split in time on its own, and
a fold holds out the next block of time of every series at once. No torch here.
"""

from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from sklearn.utils.validation import _num_samples

from ._window import _group_codes, _split_group

__all__ = ["PanelTimeSeriesSplit"]


class PanelTimeSeriesSplit(BaseCrossValidator):
    """Forward-chaining folds over every series of a long frame at once.

    Each series (the rows of one id, in time order) is split as
    :class:`~sklearn.model_selection.TimeSeriesSplit` splits one series: fold ``i`` tests on
    its ``i``-th block of ``test_size`` rows from the end (the last fold on its last rows)
    and trains on every row before that block, less ``gap``. A fold's test set is that
    block of every series, its training set their earlier rows. On one-step rows,
    ``n_splits=1, test_size=h`` holds out the last ``h`` values of every series, as
    forecasting competitions do; on the rows of ``make_supervised(..., horizon=h)``, each
    with the next ``h`` values as targets, ``n_splits=1, test_size=1, gap=h - 1`` does
    (the test row forecasts them from the end of the training values).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds.

    test_size : int or None, default=None
        Rows of each series per test block. None: ``n_rows // (n_splits + 1)`` of each
        series, as TimeSeriesSplit.

    gap : int, default=0
        Rows of each series left out between its training and test rows (set it to
        ``horizon - 1`` for a multi-step target, whose last training targets would
        otherwise fall in the test period).

    group : str, int or None, default=None
        The column of `X` with the series ids, when ``split`` is not given ``groups``.

    See Also
    --------
    sklearn.model_selection.TimeSeriesSplit : The same for a single series.
    SlidingWindow : Windows within each series of a long frame.

    Notes
    -----
    A series too short for a fold (no training row left before its test block and gap) is
    left out of that fold. In a search, pass the ids with
    ``search.fit(X, y, groups=ids)`` or name their column with `group`.

    Blocks are counted in rows from the end of each series. For series that end together,
    a `test_size` makes every fold hold out the same dates of every series; with
    ``test_size=None`` each series' blocks are sized by its own length, so series of
    different lengths are tested on different dates in the same fold.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrnn import PanelTimeSeriesSplit
    >>> X = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 4, "y": range(8)})
    >>> for train, test in PanelTimeSeriesSplit(n_splits=2, test_size=1, group="id").split(X):
    ...     print(train, test)
    [0 1 4 5] [2 6]
    [0 1 2 4 5 6] [3 7]
    """

    _parameter_constraints: dict = {
        "n_splits": [Interval(Integral, 1, None, closed="left")],
        "test_size": [Interval(Integral, 1, None, closed="left"), None],
        "gap": [Interval(Integral, 0, None, closed="left")],
        "group": [str, Integral, None],
    }

    def __init__(self, n_splits=5, *, test_size=None, gap=0, group=None):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap
        self.group = group

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored, for API compatibility.

        Returns
        -------
        n_splits : int
            The number of folds.
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Generate the row indices of every fold's training and test sets.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The long frame: one row per series and time step.

        y : array-like of shape (n_samples,), default=None
            Ignored.

        groups : array-like of shape (n_samples,), default=None
            The series id of each row. Default: the column `group` of `X`.

        Yields
        ------
        train : ndarray
            Training row indices of the fold.

        test : ndarray
            Test row indices of the fold.
        """
        validate_parameter_constraints(
            self._parameter_constraints,
            {name: getattr(self, name) for name in self._parameter_constraints},
            caller_name=type(self).__name__,
        )
        codes = self._codes(X, groups)
        order = np.argsort(codes, kind="stable")
        starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
        series = np.split(order, starts[1:])  # the rows of each series, in time order
        for fold in range(self.n_splits):
            train, test = [], []
            for rows in series:
                size = self.test_size or len(rows) // (self.n_splits + 1)
                end = len(rows) - (self.n_splits - 1 - fold) * size
                start = end - size
                if size < 1 or start - self.gap < 1:
                    continue
                train.append(rows[: start - self.gap])
                test.append(rows[start:end])
            if not test:
                raise ValueError(
                    f"No series is long enough for fold {fold + 1} of {self.n_splits} "
                    f"(test_size={self.test_size}, gap={self.gap}): use fewer splits or a "
                    "smaller test_size."
                )
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

    def _codes(self, X, groups):
        if groups is not None:
            groups = np.asarray(groups, dtype=object)
            if groups.ndim != 1 or len(groups) != _num_samples(X):
                raise ValueError(
                    f"groups must hold one series id per row of X: X has {_num_samples(X)} "
                    f"rows, groups has shape {groups.shape}."
                )
            return _group_codes(groups[:, None], 0)
        if self.group is None:
            raise ValueError(
                "PanelTimeSeriesSplit needs the series id of each row: pass groups= to split "
                "(search.fit(X, y, groups=ids)), or name the id column with group=."
            )
        frame = X if hasattr(X, "columns") else np.asarray(X, dtype=object)
        _split_group(frame, self.group, "group")
        return _group_codes(frame, self.group)

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover
        raise NotImplementedError  # split is defined directly

    def __repr__(self):
        return (
            f"PanelTimeSeriesSplit(n_splits={self.n_splits}, test_size={self.test_size}, "
            f"gap={self.gap}, group={self.group!r})"
        )

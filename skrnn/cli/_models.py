"""The pipelines the commands train, and the PyTorch settings of a run."""

from contextlib import contextmanager

import torch
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, SlidingWindow
from skrnn._progress import EpochProgressBar

_CLASSES = {"rnn": RNNRegressor, "lstm": LSTMRegressor, "gru": GRURegressor}


def network(cell, **params):
    """The regressor of a ``--cell``, with `params`."""
    return _CLASSES[cell](**params)


def pipeline(final, window, flatten=False, group=None):
    """StandardScaler -> SlidingWindow -> `final`, with the step names the CLI's grids use.

    With `group` (many series), SlidingWindow -> `final`: one scaler for series of
    different sizes would let the largest dominate; the networks scale each window by its
    own series' level instead.
    """
    window = SlidingWindow(window, flatten=flatten, group=group)
    if group is not None:
        return Pipeline([("window", window), ("model", final)])
    return Pipeline([("scale", StandardScaler()), ("window", window), ("model", final)])


def progress_callbacks(args, desc):
    """An epoch progress bar, unless ``--quiet``."""
    if args.quiet:
        return None
    return [("progress", EpochProgressBar(desc=desc, leave=False))]


@contextmanager
def torch_threads(n_threads):
    """Run with `n_threads` PyTorch CPU threads, then restore the number there was."""
    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)

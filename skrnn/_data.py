"""How windows reach the skorch net: a dataset, a batch loader and a time-ordered split.

torch's DataLoader collates one sample at a time; for windows that is most of a fit's
time. Here a batch is gathered in one indexing operation from the compact series, and the
dataset lives on the net's device, so a CUDA fit moves only indices.
"""

import math

import numpy as np
import torch
from torch.utils.data import Dataset


class WindowDataset(Dataset):
    """Samples of a :class:`~skrnn._compact.CompactWindows`, optionally with targets.

    Items are ``({"x": window, "lengths": n_real}, y)``, the form skorch passes to the
    module; :meth:`batch` builds a whole mini-batch at once and leaves ``lengths`` out when
    no window in the batch is padded.
    """

    def __init__(self, windows, y=None, device="cpu", *, _tensors=None):
        self.windows = windows
        if _tensors is None:
            series = torch.as_tensor(windows.series, device=device)
            starts = torch.as_tensor(windows.starts, device=device)
            y = None if y is None else torch.as_tensor(y, device=device)
            _tensors = (series, starts, y)
        self._series, self._starts, self._y = _tensors
        self._steps = torch.arange(windows.window, device=self._series.device)
        self._padded = windows.lengths < windows.window

    def __len__(self):
        return len(self.windows)

    def __getitem__(self, i):
        x, y = self.batch(np.array([i]))
        x = {"x": x["x"][0], "lengths": torch.as_tensor(self.windows.lengths[i])}
        return x, (y[0] if y is not None else torch.zeros(()))

    def batch(self, index):
        """One mini-batch for integer array `index`."""
        index_t = torch.as_tensor(index, device=self._series.device)
        x = {"x": self._series[self._starts[index_t][:, None] + self._steps]}
        if self._padded[index].any():
            x["lengths"] = torch.as_tensor(self.windows.lengths[index])
        return x, (None if self._y is None else self._y[index_t])

    def subset(self, index):
        """The samples at `index`, sharing this dataset's series."""
        windows = type(self.windows)(
            self.windows.series,
            self.windows.starts[index],
            self.windows.lengths[index],
            self.windows.window,
        )
        index_t = torch.as_tensor(index, device=self._series.device)
        y = None if self._y is None else self._y[index_t]
        return WindowDataset(windows, _tensors=(self._series, self._starts[index_t], y))


class WindowLoader:
    """Iterate over a :class:`WindowDataset` in mini-batches, shuffled with its own RNG.

    skorch builds one loader per fit and iterates it once per epoch; the random stream
    continues across epochs, so a given ``random_state`` fixes every epoch's order without
    touching numpy's or torch's global random state.
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, random_state=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(random_state)

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            yield self.dataset.batch(order[start : start + self.batch_size])


class TailSplit:
    """skorch ``train_split`` that validates on the last fraction of the rows, in order.

    skorch's default split is random (stratified for classifiers); for time-ordered rows
    that validates on the past. Here the training part is the oldest rows and the
    validation part the most recent ones, never shuffled.
    """

    def __init__(self, fraction):
        self.fraction = fraction

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = min(max(1, math.ceil(self.fraction * n)), n - 1)
        return dataset.subset(np.arange(n - n_valid)), dataset.subset(np.arange(n - n_valid, n))

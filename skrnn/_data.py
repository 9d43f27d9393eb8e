"""How windows reach the skorch net: a dataset, a batch loader and a time-ordered split.

torch's DataLoader collates one sample at a time; for windows that is most of a fit's
time. Here a batch is gathered in one indexing operation from the compact series, and the
dataset lives on the net's device, so a CUDA fit moves only indices.

Iterating a loader also sets glibc's malloc, once per process, to keep the memory a
training step frees for the next step (see :func:`keep_freed_memory`).
"""

import ctypes
import math
import os
import sys

import numpy as np
import torch
from torch.utils.data import Dataset


class WindowDataset(Dataset):
    """Samples of a :class:`~skrnn._compact.CompactWindows`, optionally with targets.

    Items are ``({"x": window, "lengths": n_real}, y)``, the form skorch passes to the
    module; :meth:`batch` builds a whole mini-batch at once and leaves ``lengths`` out when
    no window in the batch is padded.
    """

    def __init__(self, windows, y=None, device="cpu", *, norm=None, _tensors=None):
        self.windows = windows
        if _tensors is None:
            series = torch.as_tensor(windows.series, device=device)
            starts = torch.as_tensor(windows.starts, device=device)
            y = None if y is None else torch.as_tensor(y, device=device)
            norm = None if norm is None else torch.as_tensor(norm, device=device)
            _tensors = (series, starts, y, norm)
        self._series, self._starts, self._y, self._norm = _tensors
        self._steps = torch.arange(windows.window, device=self._series.device)
        self._padded = windows.lengths < windows.window
        self._consecutive = None  # see _is_consecutive

    def __len__(self):
        return len(self.windows)

    def __getitem__(self, i):
        x, y = self.batch(np.array([i]))
        x = {key: value[0] for key, value in x.items()}
        x["lengths"] = torch.as_tensor(self.windows.lengths[i])
        return x, (y[0] if y is not None else torch.zeros(()))

    def batch(self, index):
        """One mini-batch: the samples at integer array `index`, or in slice `index`."""
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1 or stop <= start or not self._is_consecutive():
                return self.batch(np.arange(start, stop, step))
            first = int(self.windows.starts[start])
            rows = self._series.unfold(0, self.windows.window, 1)  # (rows, features, window)
            x = {"x": rows[first : first + stop - start].transpose(1, 2)}
            index_t = index
        else:
            index_t = torch.as_tensor(index, device=self._series.device)
            lengths = self.windows.lengths[index]
            # Windows of one length are served as their real steps only: the module runs
            # them without packing, which costs several times a plain batch.
            length = int(lengths[0]) if len(lengths) and (lengths == lengths[0]).all() else 0
            steps = self._steps[self.windows.window - length :] if length else self._steps
            x = {"x": self._series[self._starts[index_t][:, None] + steps]}
            if not length:
                x["lengths"] = torch.as_tensor(lengths)
        if self._norm is not None:
            x["norm"] = self._norm[index_t]
        return x, (None if self._y is None else self._y[index_t])

    def _is_consecutive(self):
        """Whether sample i + 1 starts one row after sample i (SlidingWindow's windows):
        a run of samples is then a strided view of the series, which needs no gather."""
        if self._consecutive is None:
            starts = self.windows.starts
            self._consecutive = len(starts) < 2 or bool((np.diff(starts) == 1).all())
        return self._consecutive

    def subset(self, index):
        """The samples at `index`, sharing this dataset's series."""
        windows = self.windows.subset(index)
        index_t = torch.as_tensor(index, device=self._series.device)
        y = None if self._y is None else self._y[index_t]
        norm = None if self._norm is None else self._norm[index_t]
        return WindowDataset(windows, _tensors=(self._series, self._starts[index_t], y, norm))


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
        self.random_state = random_state
        self._rng = None  # made on the first shuffle: seeding one costs more than a batch

    def __len__(self):
        return len(self._batches(np.arange(len(self.dataset))))

    def __iter__(self):
        keep_freed_memory()
        n = len(self.dataset)
        if not self.shuffle and not self.dataset._padded.any():
            # Runs of samples, which the dataset serves without a gather.
            for start in range(0, n, self.batch_size):
                yield self.dataset.batch(slice(start, min(start + self.batch_size, n)))
            return
        if self.shuffle and self._rng is None:
            self._rng = np.random.default_rng(self.random_state)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for index in self._batches(order):
            yield self.dataset.batch(index)

    def _batches(self, order):
        """Mini-batches of the samples in `order`: full windows together, front-padded
        windows by their length where a length has enough of them (a batch of one length
        needs no packing), the rest mixed. Shuffled, the batches come in random order."""
        size = self.batch_size
        lengths = self.dataset.windows.lengths[order]
        window = self.dataset.windows.window
        groups = [order[lengths == window]]
        padded = lengths < window
        if padded.any():
            counts = np.bincount(lengths[padded], minlength=window)
            bucketed = padded & (counts[np.minimum(lengths, window - 1)] >= max(2, size // 4))
            groups += [
                order[bucketed & (lengths == length)] for length in np.unique(lengths[bucketed])
            ]
            groups.append(order[padded & ~bucketed])
        batches = [g[i : i + size] for g in groups for i in range(0, len(g), size)]
        if self.shuffle and len(groups) > 1:
            batches = [batches[i] for i in self._rng.permutation(len(batches))]
        return batches


def tail_folds(windows, fraction, n_folds, gap=0):
    """Forward-chaining validation folds over time-ordered windows, most recent first.

    Fold ``k`` validates on the ``k``-th most recent block of ``ceil(fraction * n)`` rows
    of every series (n: the series' number of windows) and trains on the rows before it,
    less `gap` (``h - 1`` for targets ``1 .. h`` steps ahead, whose last rows before the
    block share target dates with it), as :class:`~sklearn.model_selection.TimeSeriesSplit`
    does: no fold trains on values it is scored on. A series too short for a fold only
    trains in it.

    Returns
    -------
    folds : list of (train_index, valid_index)
    """
    positions = windows.positions()
    codes = np.zeros(len(windows), dtype=np.int64) if windows.groups is None else windows.groups
    sizes = np.bincount(codes)[codes]  # each sample's series length
    block = np.maximum(1, np.ceil(fraction * sizes)).astype(np.int64)
    folds = []
    for k in range(n_folds):
        end = sizes - k * block
        start = end - block
        usable = start >= 1
        valid = usable & (positions >= start) & (positions < end)
        if not valid.any():
            break
        train = positions < np.where(usable, start - gap, end)
        if not train.any():
            break
        folds.append((np.flatnonzero(train), np.flatnonzero(valid)))
    if not folds:  # every series has a single window: validate on the last one
        n = len(windows)
        folds.append((np.arange(n - 1), np.arange(n - 1, n)))
    return folds


def stratified_folds(y, fraction, n_folds, random_state):
    """Random validation folds for independent samples, stratified by class where possible.

    Each fold holds out ``ceil(fraction * n)`` samples (at least one per class when
    stratified), as scikit-learn's ``MLPClassifier`` does for its early stopping; sorted
    files (all of one class last) would otherwise leave a class out of training.

    Returns
    -------
    folds : list of (train_index, valid_index)
    """
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

    n_samples = len(y)
    n_valid = max(1, math.ceil(fraction * n_samples))
    counts = np.bincount(np.unique(y, return_inverse=True)[1])
    if counts.min() >= 2 and 2 * len(counts) <= n_samples:
        n_valid = min(max(n_valid, len(counts)), n_samples - len(counts))
        splitter = StratifiedShuffleSplit(n_folds, test_size=n_valid, random_state=random_state)
    else:
        n_valid = min(n_valid, n_samples - 1)
        splitter = ShuffleSplit(n_folds, test_size=n_valid, random_state=random_state)
    return [(np.sort(train), np.sort(valid)) for train, valid in splitter.split(y, y)]


# glibc's malloc serves blocks above M_MMAP_THRESHOLD with fresh mmap calls and gives the
# free memory at the top of its heap back to the kernel once it exceeds M_TRIM_THRESHOLD.
# Both thresholds start at 128 KiB and only grow as large blocks are freed. A training step
# allocates and frees tens of MB of activations and gradients, so with the defaults every
# step returns them and faults them in again page by page: millions of minor page faults
# and a third as much system time as computing time. The values below are the largest that
# glibc's own adaptation reaches for the mmap threshold (32 MiB), and a trim threshold above
# a step's working set: freed memory stays in the process for the next step, as it does
# with jemalloc or tcmalloc.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MALLOC_SETTINGS = ((_M_MMAP_THRESHOLD, 32 << 20), (_M_TRIM_THRESHOLD, 256 << 20))
_MALLOC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")
_malloc_checked = False


def keep_freed_memory():
    """Set glibc's malloc to keep freed memory for reuse; once per process, else no-op.

    Does nothing off Linux, under another C library than glibc (a jemalloc or tcmalloc
    loaded with ``LD_PRELOAD`` ignores it), or when the process was started with any of
    ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or ``GLIBC_TUNABLES`` set: an
    explicit allocator setting wins.

    Returns
    -------
    changed : bool
        Whether this call changed the allocator's settings.
    """
    global _malloc_checked
    if _malloc_checked:
        return False
    _malloc_checked = True
    if not sys.platform.startswith("linux") or any(v in os.environ for v in _MALLOC_VARIABLES):
        return False
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return False  # not glibc
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return all(mallopt(param, value) == 1 for param, value in _MALLOC_SETTINGS)

"""Prediction in blocks: which windows share a module call, so that each window is
computed to the same bits whoever its neighbours are. No estimator logic here.

Matrix kernels pick their blocking, and so their rounding, by the number of rows, so the
module always runs on blocks of a few fixed numbers of windows (the last filled up with
copies): :func:`predict_rows` for bulk blocks, and the smaller sizes of ``SMALL_ROWS`` where
:func:`block_sizes` has checked on this machine that they give the bulk block's bits.
"""

import math
import weakref
from copy import deepcopy

import numpy as np
import torch

# Windows per module call at prediction (see BaseRecurrent._forward and predict_rows): the
# fewest and the most, by device type, and the bytes of gates and states a block of full
# windows may hold on the CPU.
PREDICT_ROWS = {"cpu": (64, 1024), "default": (1024, 1024)}
PREDICT_BYTES = 32 << 20
# Per step and unit, the values a recurrent layer keeps: its gates and its states.
_STEP_VALUES = {"LSTM": 4 + 2, "GRU": 3 + 1}
# Smaller blocks for the windows left over, used where they are checked to compute each
# window to the same bits as a bulk block (see block_sizes), and the windows checked.
SMALL_ROWS = (1, 2, 4, 8, 16, 32)
_PROBE_ROWS = 64
# Kernels may also round a row by its offset in the block (a loop vectorised over pairs of
# rows, seen with layers of 5 to 11 units): a window then takes only offsets that are
# multiples of the first of these that gives it the same bits at each (see block_spacing).
SPACINGS = (1, 2, 4, 8, 16)
_SPACINGS = {}  # (network shape, device, threads, steps, features, rows) -> spacing
_BLOCK_SIZES = {}  # (network shape, device, threads, steps, features) -> block sizes
_MODULE_SIZES = weakref.WeakKeyDictionary()  # module -> {(device, threads, ...): sizes}
_UNCHECKED = "unchecked"  # in _MODULE_SIZES: one bulk call went without the smaller sizes
# What, besides its layers, decides the kernels a module runs (see _shape).
_FORWARD_OPTIONS = [
    "window",
    "center",
    "skip",
    "scaling",
    "target_feature",
    "pooling",
    "conv_stride",
]
# Elements gathered at once at prediction (16 MB of float32): bounds memory, not speed.
_CHUNK_ELEMENTS = 1 << 22


def predict_rows(module, device_type, *, padded=False):
    """Windows per call of `module` in bulk prediction on `device_type`.

    A function of the network and of whether the windows are front padded, never of the
    other windows predicted: that keeps predictions bit-identical. On the CPU a block of
    full windows is the most windows (a power of two between the bounds of
    ``PREDICT_ROWS``) whose gates and states in the recurrent layer, (rows, steps,
    (gates + states) x hidden size) values, fit in ``PREDICT_BYTES``, glibc's largest
    mmap threshold: more windows per call share per-call and per-step costs, but a call
    past it maps its buffers afresh and faults their pages in (one call of 1024 windows
    of 32 steps of an LSTM of 64 units took 1.34 times two calls of 512;
    ``benchmarks/block_rows.py``). Front-padded windows come one per length at the start
    of a series, so their blocks are mostly filler: they get the fewest rows.
    """
    fewest, most = PREDICT_ROWS.get(device_type, PREDICT_ROWS["default"])
    if padded or fewest == most:
        return fewest
    rnn = module.rnn
    values = _STEP_VALUES.get(rnn.mode, 2) * rnn.hidden_size * (2 if rnn.bidirectional else 1)
    steps = getattr(module, "window", None) or 1
    stride = getattr(module, "conv_stride", None)
    if stride is not None:  # the front end's convolutions shorten the sequence
        steps = math.ceil(steps / stride)
    window_bytes = steps * values * rnn.weight_ih_l0.element_size()
    return int(min(most, max(fewest, 2 ** math.floor(math.log2(PREDICT_BYTES / window_bytes)))))


def block_sizes(module, device, steps, n_features, *, padded=False, n_windows=None):
    """Windows per call for windows of `steps` real steps (`padded`: fewer than the
    window): :func:`predict_rows`, then the smaller sizes of ``SMALL_ROWS`` the windows
    left over may use, largest first (front-padded windows: none).

    Whether a smaller block computes a window to the same bits as a bulk block depends on
    the kernels the machine's libraries pick for each shape and thread count, so it is
    checked, once per network shape, device and thread count: random windows are run in
    a bulk block and in blocks of each smaller size, and a size is used only if every
    window comes out identical. Kernels are chosen by shape, not by values, so the check
    holds for any windows; a window predicted alone then costs a small block rather
    than a bulk one.

    The check costs about four bulk blocks, so a call of `n_windows` windows goes without
    it where it can: a whole number of bulk blocks needs no smaller ones, and the first
    call of more windows than a bulk block fills its last block up (one block more at
    most). The check runs when smaller sizes are needed again.
    """
    device = torch.device(device)
    known = _remembered(module)
    call = (str(device), torch.get_num_threads(), steps, n_features, padded)
    sizes = known.get(call)
    if isinstance(sizes, tuple):
        return sizes
    rows = predict_rows(module, device.type, padded=padded)
    if padded:
        known[call] = (rows,)
        return known[call]
    if n_windows is not None and n_windows % rows == 0:
        return (rows,)  # bulk blocks only: the smaller sizes are not needed
    key = (_shape(module), *call[:-1], rows)
    if key not in _BLOCK_SIZES:
        if sizes is None and n_windows is not None and n_windows > rows:
            known[call] = _UNCHECKED
            return (rows,)
        spacing = block_spacing(module, device, steps, n_features, rows)
        smaller = _same_bits_sizes(module, device, steps, n_features, rows, spacing)
        _BLOCK_SIZES[key] = (rows, *smaller)
    known[call] = _BLOCK_SIZES[key]
    return known[call]


def block_spacing(module, device, steps, n_features, rows):
    """Every how many rows of a block of `rows` a window is placed (the rows between are
    filler): 1 where a window comes out to the same bits at any offset in the block.

    Checked once per network shape, device, thread count and block: random windows run
    in a block and in one shifted by a spacing of ``SPACINGS``; the first spacing that
    leaves every window identical is kept (`rows`, one window a block, if none does).
    """
    device = torch.device(device)
    known = _remembered(module)
    call = ("spacing", str(device), torch.get_num_threads(), steps, n_features, rows)
    if call not in known:
        key = (_shape(module), *call[1:])
        if key not in _SPACINGS:
            _SPACINGS[key] = _position_spacing(module, device, steps, n_features, rows)
        known[call] = _SPACINGS[key]
    return known[call]


def _remembered(module):
    """The block sizes and spacings of `module`'s calls, remembered on it: a lone window's
    prediction should not pay for working them out (or the module's shape) again."""
    known = _MODULE_SIZES.get(module)
    if known is None:
        known = _MODULE_SIZES[module] = {}
    return known


def _shape(module):
    """What decides the kernels `module` runs: its layers and the options of its forward."""
    options = tuple(getattr(module, option, None) for option in _FORWARD_OPTIONS)
    return (type(module).__qualname__, repr(module), *options)


def _same_bits_sizes(module, device, steps, n_features, rows, spacing=1):
    """The sizes of ``SMALL_ROWS`` below `rows` (and at least `spacing`) whose blocks give
    the bulk block's bits at the offsets windows take (multiples of `spacing`).

    The check runs a copy of `module` with random weights: the sizes are kept for every
    network of its shape, and a network's own weights can hide a kernel's different
    rounding (a head still near its zero start multiplies the recurrent state by about 0).
    """
    module, x, norm = _probe(module, device, steps, n_features, rows)
    probe = min(_PROBE_ROWS, rows)
    with torch.inference_mode():
        bulk = _run(module, x, norm, 0, rows)[:probe]

        def same(size):
            return all(
                torch.equal(_run(module, x, norm, b, size)[::spacing], bulk[b : b + size : spacing])
                for b in range(0, probe, size)
            )

        sizes = [size for size in SMALL_ROWS if spacing <= size < probe and same(size)]
    return tuple(reversed(sizes))


def _position_spacing(module, device, steps, n_features, rows):
    """The spacing :func:`block_spacing` keeps, from a copy of `module` with random weights."""
    module, x, norm = _probe(module, device, steps, n_features, rows + SPACINGS[-1])
    with torch.inference_mode():
        bulk = _run(module, x, norm, 0, rows)
        for spacing in SPACINGS:
            if spacing >= rows:
                break
            shifted = _run(module, x, norm, spacing, rows)
            if torch.equal(shifted[: rows - spacing], bulk[spacing:]):
                return spacing
    return rows


def _probe(module, device, steps, n_features, rows):
    """A copy of `module` with random weights, and `rows` random windows (with their
    per-window statistics where the module scales windows) on `device`."""
    generator = torch.Generator().manual_seed(0)
    module = _random_copy(module, generator)
    x = torch.randn(rows, steps, n_features, generator=generator)
    norm = None
    if module.scaling is not None:  # offsets and scales (floors) as real windows have them
        norm = torch.rand(rows, 2, generator=generator, dtype=torch.float64) + 0.5
        slope, intercept = module.target_map
        if slope:  # the target feature, positive in target units (the log path)
            level = 1 + torch.rand(rows, steps, generator=generator)
            x[:, :, module.target_feature] = (level - intercept) / slope
    device = torch.device(device)
    return module, x.to(device), None if norm is None else norm.to(device)


def _run(module, x, norm, start, rows):
    """`module` on windows ``start`` to ``start + rows`` of `x`."""
    block_norm = None if norm is None else norm[start : start + rows]
    return module(x[start : start + rows], norm=block_norm)


def _random_copy(module, generator):
    """A copy of `module` whose weights (and frozen skip) are random, of PyTorch's default
    initial scale: every part of the forward pass then shows in the output."""
    copy = deepcopy(module)
    with torch.no_grad():
        floats = list(copy.parameters())
        floats += [
            copy.get_buffer(name)
            for name in ("skip_weight", "skip_bias", "skip_spread")
            if hasattr(copy, name)
        ]
        for tensor in floats:
            bound = 1 / math.sqrt(tensor.shape[-1]) if tensor.dim() > 1 else 0.5
            values = torch.rand(tensor.shape, generator=generator, dtype=tensor.dtype)
            tensor.copy_((2 * values - 1) * bound)
    return copy


def _length_groups(windows):
    """``(samples, n_real)`` for each number of real steps among `windows`."""
    lengths, window = windows.lengths, windows.window
    if windows.packed or (lengths == window).all():  # nearly always: no padding
        return [(np.arange(len(lengths)), window)]
    return [(np.flatnonzero(lengths == n), int(n)) for n in np.unique(lengths)]


def _block_plan(n, sizes):
    """``(rows, count)`` pairs covering `n` windows: as many blocks of each of `sizes`
    (largest first) as fit, then one of the smallest, filled up, for the rest."""
    plan = []
    for rows in sizes:
        if n >= rows:
            plan.append((rows, n // rows))
            n %= rows
    if n and plan and plan[-1][0] == sizes[-1]:
        plan[-1] = (sizes[-1], plan[-1][1] + 1)
    elif n:
        plan.append((sizes[-1], 1))
    return plan


def _block_chunks(index, sizes, window_elements):
    """``(rows, samples)``: the samples of `index` to gather at once, in blocks of `rows`
    (:func:`_block_plan`), at most ``_CHUNK_ELEMENTS`` values (whole blocks) at a time."""
    if len(index) <= sizes[-1]:  # one small block (a window predicted alone)
        yield sizes[-1], index
        return
    first = 0
    for rows, count in _block_plan(len(index), sizes):
        chunk = rows * max(1, _CHUNK_ELEMENTS // (rows * window_elements))
        stop = min(len(index), first + rows * count)
        for start in range(first, stop, chunk):
            yield rows, index[start : min(stop, start + chunk)]
        first = stop


def _fill_blocks(index, rows):
    """`index` made a whole number of blocks of `rows`, with copies of its last block's
    first sample: every module call then has the same number of rows."""
    missing = -len(index) % rows
    if not missing:
        return index
    return np.concatenate([index, index[len(index) - len(index) % rows].repeat(missing)])

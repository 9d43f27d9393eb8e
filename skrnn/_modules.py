"""The torch module behind every skrnn estimator: one class, the cell is a parameter.

Input is a batch of windows ``(batch, window, n_features)`` whose first steps may be front
padding (zero-filled, ``lengths`` says how many steps are real). Padding never reaches the
recurrent layer: padded rows are left-aligned and packed, so the cell runs over real steps
only. Batches without padding (nearly all) take the plain, fast path.
"""

import math
from bisect import bisect_right

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._skip import skip_lengths

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
# What the head reads, by pooling: how many of the last layer's output vectors.
POOLINGS = {"last": 1, "mean": 1, "max": 1, "mean_max": 2}


class RecurrentModule(nn.Module):
    """Recurrent encoder, linear head, and an optional frozen linear skip connection.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    input_size, hidden_size, num_layers, bidirectional, dropout, nonlinearity
        As in :class:`torch.nn.RNN`; ``dropout`` also applies to the head's input.
    output_size : int
        Number of outputs (horizons, or classes for a classifier).
    window : int
        Time steps per window; needed only by the skip connection.
    center : bool
        Feed the encoder each window minus its last time step, so that it sees the shape of
        the recent past rather than a level it may never have seen in training.
    skip : bool
        Add a linear map of the window's last steps to the output: of all ``window`` steps
        for a full window, of the last 1, 2, 4, ... steps (the most it has) for a
        front-padded one (see :class:`skrnn._skip.LinearSkip`, whose layout the buffers
        ``skip_weight`` and ``skip_bias`` share). They are set by the estimator, not
        trained, and the head starts at zero, so the untrained module is exactly the skip's
        forecast.
    scaling : {None, "log", "mean"}
        Per-window scaling of input feature `target_feature` (see :mod:`skrnn._scaling`),
        from the statistics ``norm`` passed with each batch: ``log(max(x, norm[:, 1])) -
        norm[:, 0]`` or ``(x - norm[:, 0]) / norm[:, 1]``.
    target_feature : int
        The input feature `scaling` applies to.
    target_map : tuple of float
        ``(slope, intercept)`` mapping that feature to the target's units first.
    conv_stride : int or None
        A convolutional front end: a 1-D convolution (kernel ``2 * conv_stride + 1``,
        `hidden_size` channels, ReLU) that shortens the sequence `conv_stride`-fold before
        the recurrent layers, aligned to the window's last step. None: none.
    conv_layers : {1, 2}
        Convolutions the front end's stride is split over (see :func:`conv_strides`).
    pooling : {"last", "mean", "max", "mean_max"}
        What the head reads: the last layer's final hidden state, or its outputs at every
        real step averaged, maximised, or both concatenated.
    input_scale : sequence of float or None
        Divide the encoder's inputs (after `scaling` and `center`), feature by feature, by
        these, so that it sees unit-scale values; the skip reads the unscaled windows.
        None: no division.
    spread_feature : int or None
        With the skip: add ``skip_spread`` (one coefficient per output) times the window's
        volatility, the mean absolute change of this input feature (after `scaling`)
        between consecutive real steps, bounded below by ``spread_bounds[0]``
        (``spread_bounds[1]`` for a window of one real step). Set by the estimator, so
        that a quantile's start is wider where the recent past moved more (see
        :func:`skrnn._skip.volatility`).
    """

    # Modules pickled before these attributes existed: final state, one convolution.
    pooling = "last"
    conv_layers = 1
    spread_feature = None
    input_scale = None

    def __init__(
        self,
        *,
        cell="lstm",
        input_size=1,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        output_size=1,
        window=1,
        center=True,
        skip=False,
        scaling=None,
        target_feature=0,
        target_map=(1.0, 0.0),
        conv_stride=None,
        pooling="last",
        conv_layers=1,
        spread_feature=None,
        input_scale=None,
    ):
        super().__init__()
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.conv_stride = conv_stride
        self.conv_layers = conv_layers
        if conv_stride is not None:
            strides = conv_strides(conv_stride, conv_layers)
            channels = input_size
            if len(strides) == 2:  # `conv` stays the last, as in one-convolution files
                self.conv_in = nn.Conv1d(input_size, hidden_size, 2 * strides[0] + 1, strides[0])
                channels = hidden_size
            self.conv = nn.Conv1d(channels, hidden_size, 2 * strides[-1] + 1, strides[-1])
        self.rnn = _CELLS[cell](
            hidden_size if conv_stride is not None else input_size,
            hidden_size,
            num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            **kwargs,
        )
        self.dropout = nn.Dropout(dropout)
        self.pooling = pooling
        encoding_size = POOLINGS[pooling] * hidden_size * (2 if bidirectional else 1)
        self.head = nn.Linear(encoding_size, output_size)
        self.center = center
        self.skip = skip
        self.window = window
        self.scaling = scaling
        self.target_feature = target_feature
        self.target_map = tuple(target_map)
        if input_scale is not None:
            self.input_scale = tuple(float(value) for value in input_scale)
            # Not state: rebuilt from the estimator's input_scale_ with the module.
            self.register_buffer("_input_scale", torch.tensor(self.input_scale), persistent=False)
        if skip:
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)
            lengths = skip_lengths(window)
            self._skip_lengths = lengths
            self._skip_offsets = [sum(lengths[:k]) for k in range(len(lengths))]
            self.register_buffer("skip_weight", torch.zeros(sum(lengths), input_size, output_size))
            self.register_buffer("skip_bias", torch.zeros(len(lengths), output_size))
            # Which map a window with n real steps uses, by n (not state: derived).
            which = [max(bisect_right(lengths, n) - 1, 0) for n in range(window + 1)]
            self.register_buffer("_skip_map", torch.tensor(which), persistent=False)
            if spread_feature is not None:
                self.spread_feature = spread_feature
                self.register_buffer("skip_spread", torch.zeros(output_size))
                self.register_buffer("spread_bounds", torch.ones(2))

    def forward(self, x, lengths=None, norm=None):
        """Outputs for windows `x` of shape (batch, steps, features).

        With `lengths`, row ``i`` has ``lengths[i]`` real steps at its end and zero-filled
        front padding before them (training batches). Without, every step is real; `steps`
        may then be fewer than ``window``: the last steps of windows that have no more
        history, which is how predictions run windows of one length at a time. `norm`
        holds the per-window statistics of ``scaling``.
        """
        if self.scaling is not None:
            x = self._scale(x, norm)
        if lengths is None:
            out = self.head(self._dropout(self._encode(self._inputs(x), None)))
            if self.skip:
                out = out + self._skip(x, bisect_right(self._skip_lengths, x.shape[1]) - 1)
                if self.spread_feature is not None:
                    out = out + self._volatility(x, None)[:, None] * self.skip_spread
            return out
        steps = torch.arange(x.shape[1], device=x.device)
        real = steps >= (x.shape[1] - lengths.to(x.device))[:, None]
        inputs = self._inputs(x) * real[:, :, None]
        out = self.head(self._dropout(self._encode(inputs, lengths)))
        if self.skip:
            which = self._skip_map[lengths.to(x.device)]
            skip = out.new_zeros(out.shape)
            for k in torch.unique(which).tolist():  # a few maps at most, log2(window)
                rows = torch.nonzero(which == k).squeeze(1)
                skip[rows] = self._skip(x[rows], k)
            out = out + skip
            if self.spread_feature is not None:
                out = out + self._volatility(x, lengths)[:, None] * self.skip_spread
        return out

    def _volatility(self, x, lengths):
        """Mean absolute change of feature ``spread_feature`` between consecutive real
        steps of each window, bounded (as :func:`skrnn._skip.volatility`)."""
        floor, single = self.spread_bounds[0], self.spread_bounds[1]
        if x.shape[1] < 2:
            return single.expand(x.shape[0])
        target = x[:, :, self.spread_feature]
        change = (target[:, 1:] - target[:, :-1]).abs()
        if lengths is None:
            return torch.maximum(change.mean(dim=1), floor)
        changes = lengths.to(x.device) - 1
        steps = torch.arange(change.shape[1], device=x.device)
        real = steps >= change.shape[1] - changes[:, None]
        mean = (change * real).sum(dim=1) / changes.clamp(min=1)
        return torch.where(changes > 0, torch.maximum(mean, floor), single)

    def _skip(self, x, k):
        """Map `k` of the skip on the last steps of windows `x` (all of them real)."""
        steps, first = self._skip_lengths[k], self._skip_offsets[k]
        weight = self.skip_weight[first : first + steps].flatten(0, 1)
        return torch.addmm(self.skip_bias[k], x[:, x.shape[1] - steps :].flatten(1), weight)

    def _scale(self, x, norm):
        j = self.target_feature
        offset, second = norm[:, 0, None].to(x.dtype), norm[:, 1, None].to(x.dtype)
        slope, intercept = self.target_map
        target = x[:, :, j] * slope + intercept
        if self.scaling == "log":
            target = torch.log(torch.maximum(target, second)) - offset
        else:
            target = (target - offset) / second
        return torch.cat([x[:, :, :j], target[:, :, None], x[:, :, j + 1 :]], dim=2)

    def _dropout(self, hidden):
        # Dropout is the identity when evaluating or at p=0: skip the call, which a
        # window predicted alone would pay for.
        return self.dropout(hidden) if self.training and self.dropout.p else hidden

    def _inputs(self, x):
        inputs = x - x[:, -1:] if self.center else x
        return inputs if self.input_scale is None else inputs / self._input_scale.to(x.dtype)

    def _encode(self, inputs, lengths):
        """Final hidden state of the last layer (both directions concatenated), or its
        outputs pooled over the real steps."""
        if self.conv_stride is not None:
            inputs, lengths = self._convolve(inputs, lengths)
        if lengths is None:
            outputs, hidden = self.rnn(inputs)
        else:
            # pack_padded_sequence wants padding at the end: shift each row's real steps left.
            window = inputs.shape[1]
            lengths = lengths.to(inputs.device)
            shift = torch.arange(window, device=inputs.device) + (window - lengths)[:, None]
            index = shift.clamp_(max=window - 1)[:, :, None].expand(-1, -1, inputs.shape[2])
            packed = pack_padded_sequence(
                inputs.gather(1, index), lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            outputs, hidden = self.rnn(packed)
            if self.pooling != "last":
                outputs = pad_packed_sequence(outputs, batch_first=True)[0]
        if self.pooling != "last":
            return _pool(outputs, lengths, self.pooling)
        if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
            hidden = hidden[0]
        if not self.rnn.bidirectional:
            return hidden[-1]  # (batch, hidden_size)
        last_layer = hidden[-2:]  # (directions, batch, hidden_size)
        return last_layer.transpose(0, 1).reshape(inputs.shape[0], -1)

    def _convolve(self, inputs, lengths):
        """The front end's features (batch, steps', hidden_size), the last one ending at the
        window's last step, and the number of them that see real steps."""
        layers = [self.conv_in, self.conv] if hasattr(self, "conv_in") else [self.conv]
        for conv in layers:
            inputs, lengths = _strided_conv(conv, inputs, lengths)
        return inputs, lengths


def _pool(outputs, lengths, pooling):
    """Mean and/or max over time of `outputs` (batch, steps, size), whose row ``i`` has
    ``lengths[i]`` real steps at its start (all of them real without `lengths`)."""
    if lengths is None:
        real = None
    else:
        steps = torch.arange(outputs.shape[1], device=outputs.device)
        real = (steps < lengths.to(outputs.device)[:, None])[:, :, None]
    parts = []
    if pooling in ("mean", "mean_max"):
        if real is None:
            parts.append(outputs.mean(1))
        else:
            count = lengths.to(device=outputs.device, dtype=outputs.dtype)[:, None]
            parts.append((outputs * real).sum(1) / count)
    if pooling in ("max", "mean_max"):
        if real is not None:
            outputs = outputs.masked_fill(~real, torch.finfo(outputs.dtype).min)
        parts.append(outputs.amax(1))
    return torch.cat(parts, 1) if len(parts) > 1 else parts[0]


def conv_strides(conv_stride, conv_layers):
    """The strides of the front end's convolutions: `conv_stride`, or two that multiply to
    about it (the larger first) when `conv_layers` is 2 and the stride is over 3."""
    if conv_layers == 1 or conv_stride <= 3:
        return (conv_stride,)
    first = math.ceil(math.sqrt(conv_stride))
    return (first, math.ceil(conv_stride / first))


def _strided_conv(conv, inputs, lengths):
    """One strided convolution and ReLU over `inputs` (batch, steps, channels) whose rows
    have ``lengths`` real steps at their end (all real without): outputs aligned to the
    last step, and the number of them that see real steps. Outputs that see none are set
    to zero, as the zero padding of a window's real steps alone would give the next layer."""
    stride, kernel, steps = conv.stride[0], conv.kernel_size[0], inputs.shape[1]
    pad = kernel - 1
    pad += (stride - (steps + pad - kernel) % stride) % stride
    out = torch.relu(conv(nn.functional.pad(inputs.transpose(1, 2), (pad, 0))))
    out = out.transpose(1, 2)
    # Output j covers padded steps j * stride .. j * stride + kernel - 1: drop those that
    # see only the padding added here, and count those that see real steps.
    skip = (pad - kernel + stride) // stride
    out = out[:, skip:]
    if lengths is not None:
        before = (steps - lengths.to(out.device)) + pad  # padding before the real steps
        first_real = torch.div(before - kernel + stride, stride, rounding_mode="floor")
        lengths = out.shape[1] + skip - first_real.clamp(min=skip)
        real = torch.arange(out.shape[1], device=out.device) >= out.shape[1] - lengths[:, None]
        out = out * real[:, :, None]
    return out, lengths

"""The torch module behind every skrnn estimator: one class, the cell is a parameter.

Input is a batch of windows ``(batch, window, n_features)`` whose first steps may be front
padding (zero-filled, ``lengths`` says how many steps are real). Padding never reaches the
recurrent layer: padded rows are left-aligned and packed, so the cell runs over real steps
only. Batches without padding (nearly all) take the plain, fast path.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


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
        Add a linear map of the window (one per number of real steps) to the output. Its
        weights are buffers set by the estimator, not trained, and the head starts at zero,
        so the untrained module is exactly the skip's forecast.
    scaling : {None, "log", "mean"}
        Per-window scaling of input feature `target_feature` (see :mod:`skrnn._scaling`),
        from the statistics ``norm`` passed with each batch: ``log(max(x, norm[:, 1])) -
        norm[:, 0]`` or ``(x - norm[:, 0]) / norm[:, 1]``.
    target_feature : int
        The input feature `scaling` applies to.
    """

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
    ):
        super().__init__()
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            input_size,
            hidden_size,
            num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            **kwargs,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), output_size)
        self.center = center
        self.skip = skip
        self.window = window
        self.scaling = scaling
        self.target_feature = target_feature
        if skip:
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)
            # One linear map per number of real steps (see skrnn._skip.LinearSkip).
            self.register_buffer(
                "skip_weight", torch.zeros(window, window, input_size, output_size)
            )
            self.register_buffer("skip_bias", torch.zeros(window, output_size))

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
            out = self.head(self.dropout(self._encode(self._inputs(x), None)))
            if self.skip:
                n_real = x.shape[1]
                weight = self.skip_weight[n_real - 1, self.window - n_real :].flatten(0, 1)
                out = out + x.flatten(1) @ weight + self.skip_bias[n_real - 1]
            return out
        steps = torch.arange(x.shape[1], device=x.device)
        real = steps >= (x.shape[1] - lengths.to(x.device))[:, None]
        inputs = self._inputs(x) * real[:, :, None]
        out = self.head(self.dropout(self._encode(inputs, lengths)))
        if self.skip:
            n_real = lengths.to(x.device) - 1
            skip = torch.einsum("bwf,bwfh->bh", x, self.skip_weight[n_real])
            out = out + skip + self.skip_bias[n_real]
        return out

    def _scale(self, x, norm):
        j = self.target_feature
        offset, second = norm[:, 0, None].to(x.dtype), norm[:, 1, None].to(x.dtype)
        target = x[:, :, j]
        if self.scaling == "log":
            target = torch.log(torch.maximum(target, second)) - offset
        else:
            target = (target - offset) / second
        return torch.cat([x[:, :, :j], target[:, :, None], x[:, :, j + 1 :]], dim=2)

    def _inputs(self, x):
        return x - x[:, -1:] if self.center else x

    def _encode(self, inputs, lengths):
        """Final hidden state of the last layer, both directions concatenated."""
        if lengths is None:
            _, hidden = self.rnn(inputs)
        else:
            # pack_padded_sequence wants padding at the end: shift each row's real steps left.
            window = inputs.shape[1]
            lengths = lengths.to(inputs.device)
            shift = torch.arange(window, device=inputs.device) + (window - lengths)[:, None]
            index = shift.clamp_(max=window - 1)[:, :, None].expand(-1, -1, inputs.shape[2])
            packed = pack_padded_sequence(
                inputs.gather(1, index), lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            _, hidden = self.rnn(packed)
        if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
            hidden = hidden[0]
        directions = 2 if self.rnn.bidirectional else 1
        last_layer = hidden[-directions:]  # (directions, batch, hidden_size)
        return last_layer.transpose(0, 1).reshape(inputs.shape[0], -1)

"""What ``loss=`` means for a regressor, in one place: the criterion the net trains with,
the per-row loss early stopping tests with, and the forecast the linear start must make.

scikit-learn's names and meanings (as in HistGradientBoostingRegressor):

- ``"squared_error"``: the conditional mean; the start is the skip's least-squares forecast;
- ``"absolute_error"``: the conditional median; the start is the skip's forecast shifted by
  the median of its training residuals;
- ``"quantile"``: the conditional `quantile` (one or several at once, from one network, one
  output per quantile); the start is the skip's forecast shifted by the matching quantile of
  its training residuals, so a 95% network starts at a 95% forecast, not at the mean.
"""

import numpy as np
import torch
from torch import nn

from ._callbacks import squared_error

__all__ = [
    "PinballLoss",
    "criterion_for",
    "pinball_of_offsets",
    "residual_offsets",
    "sample_loss_for",
]


class PinballLoss(nn.Module):
    """Mean pinball (quantile) loss of outputs ``(n, n_targets * n_quantiles)`` against
    targets ``(n, n_targets)``: output ``k * n_quantiles + j`` is quantile ``j`` of
    target ``k``."""

    def __init__(self, quantiles=(0.5,)):
        super().__init__()
        self.register_buffer("quantiles", torch.as_tensor(quantiles, dtype=torch.float32))

    def forward(self, y_pred, y_true):
        return self.row_losses(y_pred, y_true).mean()

    def row_losses(self, y_pred, y_true):
        q = self.quantiles.to(y_pred.dtype)
        errors = y_true.reshape(len(y_true), -1, 1) - y_pred.reshape(len(y_pred), -1, len(q))
        return torch.maximum(q * errors, (q - 1) * errors).reshape(len(y_true), -1).mean(dim=1)


def absolute_error(net, y_pred, y_true):
    """Per-row mean absolute error over the outputs (averages to torch's L1Loss)."""
    return (y_pred - y_true).abs().reshape(len(y_true), -1).mean(dim=1)


def pinball(net, y_pred, y_true):
    """Per-row pinball loss with the net's quantiles."""
    return net.criterion_.row_losses(y_pred, y_true)


def criterion_for(loss, quantiles):
    """The skorch criterion and its keyword arguments for `loss`."""
    if loss == "squared_error":
        return nn.MSELoss, {}
    if loss == "absolute_error":
        return nn.L1Loss, {}
    return PinballLoss, {"quantiles": tuple(quantiles)}


def sample_loss_for(loss):
    """The per-row loss ``f(net, y_pred, y_true) -> (n,)`` that averages to the criterion."""
    return {"squared_error": squared_error, "absolute_error": absolute_error}.get(loss, pinball)


def residual_offsets(loss, quantiles, residuals):
    """What the start adds to the skip's forecast, per target and quantile: (n_targets,
    n_quantiles) from the skip's training residuals (n, n_targets)."""
    n_targets = residuals.shape[1]
    if loss == "squared_error":
        return np.zeros((n_targets, 1))
    if loss == "absolute_error":
        return np.median(residuals, axis=0)[:, None]
    return np.quantile(residuals, quantiles, axis=0).T


def pinball_of_offsets(quantiles, residuals, offsets):
    """Mean pinball loss of forecasts ``skip + offsets`` given the skip's residuals
    (n, n_targets) and offsets (n_targets, n_quantiles), or (n, n_targets, n_quantiles)
    for offsets that vary by row."""
    errors = residuals[:, :, None] - offsets
    q = np.asarray(quantiles)
    return float(np.maximum(q * errors, (q - 1) * errors).mean())

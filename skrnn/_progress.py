"""A tqdm progress bar over training epochs, as a skorch callback (used by the command line).

Pass it like any skorch callback: ``LSTMRegressor(callbacks=[("progress", EpochProgressBar())])``.
"""

import math

from skorch.callbacks import Callback
from tqdm import tqdm


class EpochProgressBar(Callback):
    """Show one tqdm bar per fit: epochs done out of ``max_epochs``, with the latest losses.

    skorch's own :class:`~skorch.callbacks.ProgressBar` counts batches within an epoch; for
    the small networks of time series forecasting an epoch takes a fraction of a second and
    the useful count is epochs. A fit that stops early leaves its bar short of the total.

    Parameters
    ----------
    desc : str, default=None
        Text in front of the bar.

    disable : bool or None, default=None
        True hides the bar; None hides it when the output is not a terminal (tqdm's rule).

    leave : bool, default=True
        Keep the finished bar on screen.
    """

    def __init__(self, desc=None, disable=None, leave=True):
        self.desc = desc
        self.disable = disable
        self.leave = leave

    def on_train_begin(self, net, **kwargs):
        self._start = len(net.history)
        self.bar_ = tqdm(
            total=net.max_epochs,
            desc=self.desc,
            unit="epoch",
            disable=self.disable,
            leave=self.leave,
            dynamic_ncols=True,
        )

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        losses = {
            key.replace("_loss", ""): f"{row[key]:.4g}"
            for key in ("train_loss", "valid_loss")
            if key in row and math.isfinite(row[key])
        }
        self.bar_.set_postfix(losses, refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        # Early stopping ends an epoch before this callback hears of it: catch up.
        self.bar_.update(len(net.history) - self._start - self.bar_.n)
        self.bar_.close()
        self.bar_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("bar_", None)  # a terminal handle is no part of a saved model
        return state

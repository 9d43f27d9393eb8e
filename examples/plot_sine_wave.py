"""
==========================================
Predicting the next point of a sine wave
==========================================

The first exercise of every RNN tutorial: from the recent points of a noisy sine wave,
predict the next one. By hand this takes a module class, a training loop and a hidden state
carried between batches; with skrnn it is a scikit-learn pipeline.

We compare four forecasts on the last quarter of the series, which the models never see:

- persistence, "the next point equals the last one",
- a ridge regression on the last 20 points (a linear autoregression),
- an RNN over windows of the last 20 points,
- the same RNN built as in the tutorials (``skip=None, center=False``).
"""

# %%
# The data
# --------
# :func:`~skrnn.datasets.make_sine` draws a sine wave with a period of 50 steps and
# Gaussian noise. :func:`~skrnn.make_supervised` pairs each row with the value that
# follows it; the last quarter of the rows is held out, in time order.
import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skrnn import PersistenceRegressor, RNNRegressor, SlidingWindow, make_supervised
from skrnn.datasets import make_sine
from skrnn.plotting import ForecastDisplay, TrainingHistoryDisplay

series = make_sine(600, period=50, noise=0.05, random_state=0)
X, y = make_supervised(series, target="value")
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, shuffle=False)
n_train = len(X_train)

# %%
# Three models, one interface
# ---------------------------
# :class:`~skrnn.SlidingWindow` gives every row the window of the 20 rows ending at it:
# 3-D ``(n, 20, 1)`` for the RNN, 20 lag columns (``flatten=True``) for the ridge model.
# The RNN's default ``skip="linear"`` adds its output to a linear forecast fitted in
# closed form; ``skip=None, center=False`` is the plain network of the tutorials.
window = 20
models = {
    "Persistence": make_pipeline(SlidingWindow(window), PersistenceRegressor()),
    "Ridge on 20 lags": make_pipeline(
        SlidingWindow(window, flatten=True), RidgeCV(alphas=np.logspace(-6, 3, 10))
    ),
    "RNN": make_pipeline(
        SlidingWindow(window),
        RNNRegressor(hidden_size=16, lr=0.01, max_epochs=40, random_state=0),
    ),
    "RNN, plain": make_pipeline(
        SlidingWindow(window),
        RNNRegressor(
            hidden_size=16, lr=0.01, max_epochs=40, skip=None, center=False, random_state=0
        ),
    ),
}
forecasts = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    # Predict from the whole series so the first test windows hold real history.
    forecasts[name] = model.predict(X)[n_train:]

scores = pd.Series(
    {name: mean_absolute_error(y_test, pred) for name, pred in forecasts.items()},
    name="test MAE",
)
scores.to_frame().assign(**{"MAE / persistence": scores / scores["Persistence"]})

# %%
# On a smooth periodic series the past predicts the future: the linear autoregression
# and the networks all beat persistence by a wide margin. What is left is mostly the
# noise: with a standard deviation of 0.05, even a forecast that knew the exact sine would
# have a mean absolute error of :math:`0.05 \sqrt{2 / \pi} \approx 0.040`.
ForecastDisplay.from_predictions(
    y_test, forecasts["RNN"], baseline=forecasts["Persistence"], name="RNN"
).ax_.set_title("Sine wave: the held-out quarter")

# %%
# The learning curve
# ------------------
# The network held out the most recent 10% of its training rows to decide when to stop
# and which weights to keep. Its starting point, epoch 0, is its skip connection: a
# linear autoregression fitted in closed form (on a stationary series, a ridge regression
# on the lags). Training is kept only if it beats that start significantly on the held-out
# rows; here the start was already close to the noise floor, so the RNN kept it
# (``best_epoch_ == 0``) and forecasts exactly like its linear start. The plain RNN
# (``skip=None``) has to learn everything from scratch and ends further from the floor.
rnn = models["RNN"][-1]
print(f"epochs run: {rnn.n_iter_}, weights kept from epoch {rnn.best_epoch_}")
TrainingHistoryDisplay.from_estimator(models["RNN"])

"""
==========================
Saving and loading a model
==========================

Train once, forecast later: a fitted pipeline is saved to a file and loaded in another
session (or on another machine) to predict exactly what it predicted when it was saved.

Two ways:

- :func:`joblib.dump` / :func:`joblib.load`, scikit-learn's usual way, stores any
  estimator. A joblib file is a pickle: loading one runs code, so **load only files you
  trust**.
- :func:`skrnn.save` / :func:`skrnn.load` write a data-only file (safetensors weights and a
  JSON description of the pipeline) that cannot run code when loaded.
"""

# %%
# A fitted forecaster
# -------------------
import os
import tempfile

import joblib
import numpy as np
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn
from skrnn import LSTMRegressor, PersistenceRegressor, SlidingWindow, make_supervised
from skrnn.datasets import load_stock

prices = load_stock("AAPL").loc["2010":]
X, y = make_supervised(prices, target="Close")
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
n_train = len(X_train)

model = make_pipeline(
    StandardScaler(), SlidingWindow(7), LSTMRegressor(hidden_size=16, max_epochs=10, random_state=0)
).fit(X_train, y_train)
persistence = make_pipeline(StandardScaler(), SlidingWindow(7), PersistenceRegressor())
persistence = persistence.fit(X_train, y_train)
y_pred = model.predict(X)[n_train:]
print(f"LSTM MAE:        {mean_absolute_error(y_test, y_pred):.4f}")
print(f"persistence MAE: {mean_absolute_error(y_test, persistence.predict(X)[n_train:]):.4f}")

folder = tempfile.mkdtemp()

# %%
# With joblib
# -----------
# The whole pipeline (scaler statistics, window, network weights and training history)
# goes into one file.
path = os.path.join(folder, "aapl_lstm.joblib")
_ = joblib.dump(model, path)
loaded = joblib.load(path)  # only for files you trust
np.testing.assert_array_equal(loaded.predict(X)[n_train:], y_pred)
print(f"{os.path.getsize(path) / 1e3:.0f} kB, same forecasts after loading")

# %%
# With skrnn's data-only format
# -----------------------------
# :func:`skrnn.save` writes safetensors weights and a JSON description of the pipeline;
# :func:`skrnn.load` checks the file's digest and rebuilds the pipeline from a fixed list
# of classes, never unpickling anything. It refuses what it cannot store as data (a custom
# callback, say) when saving, instead of pickling it.
safe_path = os.path.join(folder, "aapl_lstm.skrnn")
skrnn.save(model, safe_path)
restored = skrnn.load(safe_path)
np.testing.assert_array_equal(restored.predict(X)[n_train:], y_pred)
print(f"{os.path.getsize(safe_path) / 1e3:.0f} kB, same forecasts after loading")

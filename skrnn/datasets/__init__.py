"""Small datasets that ship with skrnn and work offline.

- :func:`load_stock`: split-adjusted daily OHLCV prices of five US stocks (2000-2013).
- :func:`make_sine`: the noisy sine wave of the classic "predict the next point" example.
"""

from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["STOCK_TICKERS", "load_stock", "make_sine"]

STOCK_TICKERS = ("AAPL", "FB", "GOOG", "IBM", "MSFT")


def load_stock(ticker="IBM"):
    """Daily open, high, low, close and volume of one US stock, split-adjusted.

    The prices come from the public-domain Quandl WIKI data set (see
    ``skrnn/datasets/data/README.md`` for provenance and how they were adjusted).
    AAPL, IBM and MSFT cover 2000-03-01 to 2013-03-01 (3,270 trading days), GOOG starts
    2004-08-19 and FB has 196 days.

    Parameters
    ----------
    ticker : {"AAPL", "FB", "GOOG", "IBM", "MSFT"}, default="IBM"
        The stock.

    Returns
    -------
    prices : DataFrame
        Columns ``Open, High, Low, Close, Volume`` (float, float, float, float, int) with a
        ``DatetimeIndex`` named ``Date``, oldest first.

    Examples
    --------
    >>> from skrnn.datasets import load_stock
    >>> prices = load_stock("IBM")
    >>> prices.shape
    (3270, 5)
    >>> list(prices.columns)
    ['Open', 'High', 'Low', 'Close', 'Volume']
    """
    if ticker not in STOCK_TICKERS:
        raise ValueError(f"ticker must be one of {STOCK_TICKERS}, got {ticker!r}.")
    path = resources.files(__package__) / "data" / "stocks.csv.gz"
    with resources.as_file(path) as file:
        data = pd.read_csv(file, parse_dates=["Date"])
    prices = data[data["Ticker"] == ticker].drop(columns="Ticker").set_index("Date")
    return prices.sort_index()


def make_sine(n_samples=1000, *, period=50.0, noise=0.05, random_state=None):
    """A noisy sine wave, one column, as a DataFrame indexed by step.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of time steps.
    period : float, default=50.0
        Steps per cycle.
    noise : float, default=0.05
        Standard deviation of the Gaussian noise added to each step.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise.

    Returns
    -------
    series : DataFrame of shape (n_samples, 1)
        One column, ``"value"``.

    Examples
    --------
    >>> from skrnn.datasets import make_sine
    >>> make_sine(100, random_state=0).shape
    (100, 1)
    """
    rng = check_random_state(random_state)
    steps = np.arange(n_samples)
    values = np.sin(2 * np.pi * steps / period) + noise * rng.standard_normal(n_samples)
    return pd.DataFrame({"value": values}, index=pd.RangeIndex(n_samples, name="step"))

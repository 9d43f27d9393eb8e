"""Rebuild skrnn/datasets/data/stocks.csv.gz from the source file (see its README).

Usage: python benchmarks/make_stock_data.py path/to/source/stocks.csv.gz
"""

import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).parents[1] / "skrnn" / "datasets" / "data" / "stocks.csv.gz"


def main(source):
    raw = pd.read_csv(source)
    factor = raw["Adj Close"] / raw["Close"]
    out = raw[["Ticker", "Date"]].copy()
    for column in ["Open", "High", "Low"]:
        out[column] = (raw[column] * factor).round(4)
    out["Close"] = raw["Adj Close"].round(4)
    out["Volume"] = (raw["Volume"] / factor).round().astype("int64")
    out.to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])

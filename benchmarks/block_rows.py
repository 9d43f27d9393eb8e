"""How many windows a prediction block should hold, across network shapes.

skrnn predicts in blocks of a fixed number of windows per network (``skrnn._blocks.
predict_rows``; fixed so that a window's forecast does not depend on its neighbours). This
script times the bare recurrent layer (``nn.LSTM`` / ``nn.GRU`` of PyTorch, inference
mode, 2 threads, after skrnn's malloc setting, as in a process that has fitted) on the
same windows in blocks of 64 to 1024, for several hidden sizes, depths and window lengths,
and prints each block size's time relative to the fastest, beside the block sizes two
rules pick:

work     the rule before: about 2**22 multiply-adds of the first layer per step
bytes    skrnn's rule: the most windows whose gates and states, (rows, steps, (gates +
         states) x hidden) float32, fit in glibc's largest mmap threshold, 32 MiB

Each shape predicts enough windows for about a second at block size 1024; every block
size runs once per round, the rounds interleaved, and the median over rounds is kept.

Usage::

    python benchmarks/block_rows.py              # about 2 minutes on 2 cores
    python benchmarks/block_rows.py --rounds 5
"""

import argparse
import math
import time
from types import SimpleNamespace

import _harness
import numpy as np

ROWS = (64, 128, 256, 512, 1024)
FEATURES = 5
SHAPES = [  # (cell, layers, hidden, window)
    (cell, layers, hidden, window)
    for cell, layers in (("LSTM", 1), ("LSTM", 2), ("GRU", 1))
    for hidden in (32, 64, 128, 256)
    for window in (16, 32, 128)
]


def work_rule(rnn):
    """Rows by multiply-adds per step (the rule skrnn used before the bytes rule)."""
    gates = {"LSTM": 4, "GRU": 3}[rnn.mode]
    work = gates * rnn.hidden_size * (rnn.hidden_size + rnn.input_size)
    return int(min(1024, max(64, 2 ** round(math.log2((1 << 22) / work)))))


def bytes_rule(rnn, window):
    from skrnn._blocks import predict_rows

    return predict_rows(SimpleNamespace(rnn=rnn, window=window, conv_stride=None), "cpu")


def time_shape(cell, layers, hidden, window, rounds):
    import torch

    rnn = getattr(torch.nn, cell)(FEATURES, hidden, layers, batch_first=True).eval()
    # About a second of work at 1024 rows, between 2,048 and 32,768 windows.
    n = int(8192 * 32 * 64 * 69 / (window * hidden * (hidden + FEATURES)) * (2 / (layers + 1)))
    n = max(2048, min(32768, n)) // 1024 * 1024
    x = torch.randn(n, window, FEATURES, generator=torch.Generator().manual_seed(0))
    times = {rows: [] for rows in ROWS}
    with torch.inference_mode():
        for rows in ROWS:  # warm-up: oneDNN builds a primitive per shape
            rnn(x[:rows])
        for r in range(rounds):
            for rows in ROWS[r % len(ROWS) :] + ROWS[: r % len(ROWS)]:
                start = time.perf_counter()
                for block in x.split(rows):
                    rnn(block)
                times[rows].append((time.perf_counter() - start) / n)
    medians = {rows: _harness.median(t) for rows, t in times.items()}
    return rnn, medians


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    import torch

    from skrnn._data import keep_freed_memory

    torch.set_num_threads(2)
    keep_freed_memory()
    print("machine:", _harness.machine_description())
    print(
        f"bare torch recurrent layers, {FEATURES} features, inference mode, 2 threads, "
        f"after skrnn's malloc setting; median of {args.rounds} interleaved rounds\n"
    )
    head = ["cell", "layers", "hidden", "window", "best us/window"]
    head += [f"{rows} rows" for rows in ROWS] + ["work rule", "its time", "bytes rule", "its time"]
    lines, picks = [], {"work": [], "bytes": []}
    for cell, layers, hidden, window in SHAPES:
        rnn, medians = time_shape(cell, layers, hidden, window, args.rounds)
        best = min(medians.values())
        relative = {rows: medians[rows] / best for rows in ROWS}
        work, by_bytes = work_rule(rnn), bytes_rule(rnn, window)
        picks["work"].append(relative[work])
        picks["bytes"].append(relative[by_bytes])
        lines.append(
            [cell, layers, hidden, window, f"{best * 1e6:.1f}"]
            + [f"{relative[rows]:.2f}" for rows in ROWS]
            + [work, f"{relative[work]:.2f}", by_bytes, f"{relative[by_bytes]:.2f}"]
        )
        print("  " + " ".join(str(v) for v in lines[-1]), flush=True)
    print()
    print(_harness.format_table(head, lines))
    print("\ntime of the picked block size / the fastest, over the shapes above:")
    for rule, values in picks.items():
        values = np.array(values)
        print(
            f"  {rule:5} rule: mean {values.mean():.3f}, worst {values.max():.2f}, "
            f"within 1.05x on {(values <= 1.05).sum()} of {len(values)}"
        )


if __name__ == "__main__":
    main()

"""A grid search over a recurrent pipeline runs on a dask.distributed cluster and finds what
the same search finds locally.

The cluster is a LocalCluster of two worker processes on loopback, started and stopped
here; the same code runs on any cluster a ``dask.distributed.Client`` connects to.
"""

import re

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed", reason='dask.distributed is an optional extra: pip install ".[dask]"'
)

import joblib  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skrnn import GRURegressor, SlidingWindow, make_supervised  # noqa: E402

GRID = {"slidingwindow__window": [4, 8], "gruregressor__hidden_size": [3, 6]}


def _search():
    pipe = make_pipeline(
        StandardScaler(),
        SlidingWindow(window=4),
        GRURegressor(max_epochs=4, batch_size=32, random_state=0),
    )
    return GridSearchCV(pipe, GRID, cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error")


def _data(n=160):
    rng = np.random.default_rng(0)
    t = np.arange(n)
    series = np.sin(t / 5) + 0.2 * rng.standard_normal(n)
    return make_supervised(series.reshape(-1, 1), target=0)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture
def one_torch_thread():
    # Compare like with like: dask's workers run torch on one thread, and a different
    # number of threads may round sums differently.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def test_grid_search_on_dask_matches_local(client, one_torch_thread):
    X, y = _data()
    local = _search().fit(X, y)
    with distributed.get_task_stream(client=client) as tasks, joblib.parallel_backend("dask"):
        remote = _search().fit(X, y)

    # All 4 candidates x 3 folds ran on the cluster's workers (joblib sends them in
    # batches, named "batch_of__fit_and_score_<n>_calls-<id>").
    batches = [re.match(r"batch_of__fit_and_score_(\d+)_calls", t["key"]) for t in tasks.data]
    assert sum(int(m.group(1)) for m in batches if m) == 12
    assert {t["worker"] for t in tasks.data} <= set(client.scheduler_info()["workers"])
    assert remote.best_params_ == local.best_params_
    for key in [f"split{k}_test_score" for k in range(3)] + ["mean_test_score"]:
        np.testing.assert_allclose(remote.cv_results_[key], local.cv_results_[key], rtol=1e-6)
    np.testing.assert_allclose(remote.predict(X), local.predict(X), rtol=1e-6)


def test_workers_do_not_oversubscribe_torch_threads(client):
    # dask's nanny starts workers with OMP_NUM_THREADS=1: one torch thread per worker
    # thread, so two single-threaded workers use two cores, not four.
    threads = client.run(torch.get_num_threads)
    assert len(threads) == 2
    assert set(threads.values()) == {1}

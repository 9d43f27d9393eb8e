import pytest
import torch

from skrnn._modules import POOLINGS, RecurrentModule, conv_strides


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("pooling", ["last", "mean_max"])
def test_front_padding_is_skipped(cell, bidirectional, center, pooling):
    torch.manual_seed(0)
    module = RecurrentModule(
        cell=cell,
        input_size=3,
        hidden_size=5,
        num_layers=2,
        bidirectional=bidirectional,
        window=6,
        center=center,
        pooling=pooling,
    ).eval()
    x = torch.randn(4, 6, 3)
    lengths = torch.tensor([6, 4, 1, 3])
    padded = x.clone()
    for row, length in enumerate(lengths):
        padded[row, : 6 - length] = 0.0  # what the estimators feed for NaN padding
    out = module(padded, lengths)
    for row, length in enumerate(lengths):
        alone = module(x[row : row + 1, 6 - length :])  # only the real steps
        torch.testing.assert_close(out[row], alone[0], rtol=1e-5, atol=1e-6)


def test_skip_is_added_and_head_starts_at_zero():
    module = RecurrentModule(cell="gru", input_size=2, window=3, skip=True, output_size=2)
    assert not module.head.weight.any()
    assert not module.head.bias.any()
    # Maps of the last 1, 2 and 3 steps, one after the other (skrnn._skip.skip_lengths).
    assert module.skip_weight.shape == (1 + 2 + 3, 2, 2)
    assert module.skip_bias.shape == (3, 2)
    weight, bias = torch.randn(6, 2, 2), torch.randn(3, 2)
    module.skip_weight.copy_(weight)
    module.skip_bias.copy_(bias)
    maps = {1: (weight[0:1], bias[0]), 2: (weight[1:3], bias[1]), 3: (weight[3:6], bias[2])}
    x = torch.randn(5, 3, 2)
    expected = torch.einsum("bwf,wfh->bh", x, maps[3][0]) + maps[3][1]
    torch.testing.assert_close(module(x), expected)
    # Front-padded rows use the map of their real steps, whatever the padding holds.
    lengths = torch.tensor([3, 1, 3, 2, 1])
    padded = x.clone()
    padded[1, :2] = 1e6
    expected = torch.stack(
        [
            torch.einsum("wf,wfh->h", row[3 - n :], maps[n][0]) + maps[n][1]
            for row, n in zip(x, lengths.tolist(), strict=True)
        ]
    )
    torch.testing.assert_close(module(padded, lengths), expected)
    # Skip buffers are state, not trained parameters.
    assert {"skip_weight", "skip_bias"} <= set(module.state_dict())
    assert "_skip_map" not in module.state_dict()
    assert all("skip" not in name for name, _ in module.named_parameters())


def assert_padded_rows_predict_alone(module, x, lengths):
    """Row i of `x` zero-filled before its last lengths[i] steps, with `lengths` (training
    batches), gives what its real steps alone give (prediction)."""
    window = x.shape[1]
    padded = x * (torch.arange(window) >= window - lengths[:, None])[:, :, None]
    out = module(padded, lengths)
    for row, n in enumerate(lengths.tolist()):
        alone = module(x[row : row + 1, window - n :])
        torch.testing.assert_close(out[row], alone[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("center", [False, True])
def test_padded_rows_predict_as_their_real_steps_alone(center):
    # The two ways a padded window reaches the module agree: zero-filled with `lengths`
    # (training batches) and as its real steps only (prediction, and one-length batches).
    torch.manual_seed(0)
    window = 6
    module = RecurrentModule(
        cell="lstm", input_size=2, hidden_size=4, window=window, center=center, skip=True
    ).eval()
    torch.nn.init.normal_(module.head.weight)
    module.skip_weight.normal_()
    module.skip_bias.normal_()
    assert_padded_rows_predict_alone(module, torch.randn(6, window, 2), torch.arange(1, 7))


def test_centering_removes_the_level():
    torch.manual_seed(0)
    module = RecurrentModule(cell="lstm", input_size=2, window=4, center=True).eval()
    x = torch.randn(3, 4, 2)
    torch.testing.assert_close(module(x), module(x + 100.0))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_pooling_reads_the_outputs_of_every_real_step(bidirectional):
    torch.manual_seed(0)
    kwargs = dict(cell="gru", input_size=2, hidden_size=3, bidirectional=bidirectional)
    modules = {p: RecurrentModule(**kwargs, pooling=p).eval() for p in POOLINGS}
    for module in modules.values():
        module.rnn.load_state_dict(modules["last"].rnn.state_dict())
    x = torch.randn(4, 7, 2)
    with torch.no_grad():
        outputs, _ = modules["last"].rnn(x)
        mean, top = outputs.mean(1), outputs.amax(1)
        torch.testing.assert_close(modules["mean"]._encode(x, None), mean)
        torch.testing.assert_close(modules["max"]._encode(x, None), top)
        torch.testing.assert_close(modules["mean_max"]._encode(x, None), torch.cat([mean, top], 1))
        # Padded rows pool their real steps only, however large the padding's outputs.
        lengths = torch.tensor([7, 2, 5, 1])
        padded = x.clone()
        for row, n in enumerate(lengths.tolist()):
            padded[row, : 7 - n] = 0.0
        for module in modules.values():
            out = module._encode(padded, lengths)
            for row, n in enumerate(lengths.tolist()):
                alone = module._encode(x[row : row + 1, 7 - n :], None)
                torch.testing.assert_close(out[row], alone[0], rtol=1e-5, atol=1e-6)
    assert modules["mean_max"].head.in_features == 2 * modules["last"].head.in_features


def test_modules_pickled_before_pooling_read_their_final_state():
    module = RecurrentModule(cell="lstm", input_size=2, hidden_size=3).eval()
    del module.__dict__["pooling"]  # as unpickled from a version without the attribute
    assert module.pooling == "last"
    x = torch.randn(2, 4, 2)
    _, (hidden, _) = module.rnn(x)
    torch.testing.assert_close(module._encode(x, None), hidden[-1])


@pytest.mark.parametrize(("conv_stride", "conv_layers"), [(3, 1), (5, 1), (5, 2), (9, 2)])
@pytest.mark.parametrize("pooling", ["last", "mean_max"])
def test_front_end_skips_front_padding(conv_stride, conv_layers, pooling):
    # Training batches (zero-filled padding with `lengths`) and prediction (a window's real
    # steps alone) agree through one or two strided convolutions.
    torch.manual_seed(0)
    window = 40
    module = RecurrentModule(
        cell="gru",
        input_size=2,
        hidden_size=4,
        window=window,
        center=False,
        conv_stride=conv_stride,
        conv_layers=conv_layers,
        pooling=pooling,
    ).eval()
    assert hasattr(module, "conv_in") == (conv_layers == 2)
    lengths = torch.tensor([40, 1, 3, 17, 29, 12])
    assert_padded_rows_predict_alone(module, torch.randn(6, window, 2), lengths)


def test_conv_strides_split_long_strides_in_two():
    assert conv_strides(29, 2) == (6, 5)
    assert conv_strides(9, 2) == (3, 3)
    assert conv_strides(3, 2) == (3,)  # short strides stay one convolution
    assert conv_strides(29, 1) == (29,)


def test_spread_is_the_numpy_volatility_times_its_coefficients():
    # The module's volatility term equals skrnn._skip.volatility on the same windows,
    # padded (training batches) or with only their real steps (prediction).
    import numpy as np

    from skrnn._compact import CompactWindows
    from skrnn._skip import volatility

    torch.manual_seed(0)
    module = RecurrentModule(
        cell="gru",
        input_size=2,
        window=5,
        skip=True,
        output_size=2,
        spread_feature=1,
    ).eval()
    module.skip_spread.copy_(torch.tensor([-1.5, 2.0]))
    module.spread_bounds.copy_(torch.tensor([0.05, 0.7]))
    x = torch.randn(4, 5, 2)
    x[3] = 1.0  # flat: floored
    lengths = torch.tensor([5, 3, 1, 5])
    padded = x.clone()
    for row, length in enumerate(lengths):
        padded[row, : 5 - length] = 0.0
    series = padded.reshape(-1, 2).numpy()
    windows = CompactWindows(series, np.arange(4) * 5, lengths.numpy(), 5)
    expected = volatility(windows, 1, (0.05, 0.7))
    np.testing.assert_allclose(expected[2:], [0.7, 0.05])  # one real step; flat
    values = series[:, 1].reshape(4, 5)[0]
    assert expected[0] == pytest.approx(np.abs(np.diff(values)).mean())
    with torch.no_grad():
        torch.testing.assert_close(
            module._volatility(padded, lengths).double(), torch.tensor(expected)
        )
        for row, length in enumerate(lengths):
            alone = module._volatility(x[row : row + 1, 5 - length :], None)
            assert alone.item() == pytest.approx(expected[row], rel=1e-6)
        without = RecurrentModule(cell="gru", input_size=2, window=5, skip=True, output_size=2)
        without.load_state_dict(module.state_dict(), strict=False)
        added = module(padded, lengths) - without(padded, lengths)
    torch.testing.assert_close(added, torch.tensor(expected).float()[:, None] * module.skip_spread)


@pytest.mark.parametrize("center", [False, True])
def test_input_scale_divides_what_the_encoder_reads(center):
    torch.manual_seed(0)
    scaled = RecurrentModule(
        input_size=2, hidden_size=4, window=5, center=center, input_scale=(2.0, 0.5)
    )
    plain = RecurrentModule(input_size=2, hidden_size=4, window=5, center=center)
    plain.load_state_dict(scaled.state_dict())  # the scale is not state: rebuilt with it
    x = torch.randn(3, 5, 2)
    lengths = torch.tensor([5, 3, 1])
    divisor = torch.tensor([2.0, 0.5])
    torch.testing.assert_close(scaled(x), plain(x / divisor))
    torch.testing.assert_close(scaled(x, lengths), plain(x / divisor, lengths))
    assert "_input_scale" not in scaled.state_dict()


def test_the_skip_reads_unscaled_windows():
    module = RecurrentModule(input_size=1, hidden_size=4, window=3, skip=True, input_scale=(4.0,))
    with torch.no_grad():
        module.skip_weight[-3:] = torch.tensor([[[0.0]], [[0.0]], [[1.0]]])  # persistence
    x = torch.randn(2, 3, 1)
    torch.testing.assert_close(module(x), x[:, -1])  # zero head: exactly the skip

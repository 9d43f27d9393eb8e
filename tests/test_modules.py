import pytest
import torch

from skrnn._modules import RecurrentModule


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("center", [False, True])
def test_front_padding_is_skipped(cell, bidirectional, center):
    torch.manual_seed(0)
    module = RecurrentModule(
        cell=cell,
        input_size=3,
        hidden_size=5,
        num_layers=2,
        bidirectional=bidirectional,
        window=6,
        center=center,
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
    weight = torch.randn(3, 3, 2, 2)
    weight[0, :2] = 0.0  # a window with one real step sees only its last step
    module.skip_weight.copy_(weight)
    module.skip_bias.copy_(torch.randn(3, 2))
    x = torch.randn(5, 3, 2)
    expected = torch.einsum("bwf,wfh->bh", x, weight[-1]) + module.skip_bias[-1]
    torch.testing.assert_close(module(x), expected)
    # Front-padded rows use the map for their number of real steps.
    lengths = torch.tensor([3, 1, 3, 2, 1])
    padded = x * (torch.arange(3) >= 3 - lengths[:, None])[:, :, None]
    expected = torch.stack(
        [
            torch.einsum("wf,wfh->h", row, weight[n - 1]) + module.skip_bias[n - 1]
            for row, n in zip(padded, lengths.tolist(), strict=True)
        ]
    )
    torch.testing.assert_close(module(padded, lengths), expected)
    # Skip buffers are state, not trained parameters.
    assert "skip_weight" in module.state_dict()
    assert all("skip" not in name for name, _ in module.named_parameters())


def test_centering_removes_the_level():
    torch.manual_seed(0)
    module = RecurrentModule(cell="lstm", input_size=2, window=4, center=True).eval()
    x = torch.randn(3, 4, 2)
    torch.testing.assert_close(module(x), module(x + 100.0))

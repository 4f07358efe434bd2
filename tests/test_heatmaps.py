"""The provided ``d2lkit.plot.show_heatmaps`` (§10.1) draws attention weights and saves the figure."""
import torch

from autograder.harness.loader import reference
from d2lkit.plot import show_heatmaps


def test_show_heatmaps_saves_attention_weights(tmp_path):
    attention = reference("ch10.attention_scoring.DotProductAttention")(0.0).eval()
    keys, values = torch.ones((2, 10, 2)), torch.arange(40.0).reshape(1, 10, 4).repeat(2, 1, 1)
    attention(torch.normal(0, 1, (2, 1, 2)), keys, values, torch.tensor([2, 6]))
    path = tmp_path / "weights.png"
    fig = show_heatmaps(attention.attention_weights.reshape((1, 1, 2, 10)), xlabel="Keys", ylabel="Queries",
                        titles=["head 1"], path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "show_heatmaps(path=...) should save a PNG there"
    images = [image for ax in fig.axes for image in ax.get_images()]
    assert len(images) == 1 and images[0].get_array().shape == (2, 10), "one heatmap of 2 queries by 10 keys"
    assert fig.axes[0].get_xlabel() == "Keys" and fig.axes[0].get_ylabel() == "Queries"

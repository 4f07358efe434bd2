"""Chapter 3, 线性神经网络 (Linear Neural Networks)."""

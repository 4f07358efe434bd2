"""Chapter 6, 卷积神经网络 (Convolutional Neural Networks)."""

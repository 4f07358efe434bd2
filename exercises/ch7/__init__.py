"""Chapter 7, 现代卷积神经网络 (Modern Convolutional Neural Networks)."""

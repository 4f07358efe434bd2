"""Chapter 8, 循环神经网络 (Recurrent Neural Networks)."""

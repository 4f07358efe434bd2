"""Chapter 9, 现代循环神经网络 (Modern Recurrent Neural Networks)."""

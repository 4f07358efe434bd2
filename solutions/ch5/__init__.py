"""Chapter 5, 深度学习计算 (Builders' Guide)."""

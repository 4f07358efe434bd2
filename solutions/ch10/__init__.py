"""Chapter 10, 注意力机制 (Attention Mechanisms)."""

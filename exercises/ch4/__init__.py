"""Chapter 4, 多层感知机 (Multilayer Perceptrons)."""

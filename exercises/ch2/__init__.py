"""Chapter 2, 预备知识 (Preliminaries)."""

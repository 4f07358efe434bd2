"""The exercises: fill in every function that raises ``NotImplementedError``.

Run a chapter's checks with ``pytest exercises/ch3``.
"""

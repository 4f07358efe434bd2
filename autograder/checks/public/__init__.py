"""Public checks: the book's examples, shapes and contracts. They ship to students."""

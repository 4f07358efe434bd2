"""``python -m autograder``: the grader's command line."""
from autograder.cli import main

raise SystemExit(main())

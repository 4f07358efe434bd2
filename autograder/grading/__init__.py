"""The grading engine: sandboxed grading of untrusted submissions, reports, batch grading, the student release.

- ``submission``: turn a folder, a repository root or a ``.zip`` into a private copy shaped like ``exercises/``
- ``sandbox``: run checks in child processes (limits, namespaces, another uid), one result per check
- ``child``: the program those processes run (``python -m autograder.grading.child``)
- ``tamper``: identities of the grading environment, verified after every check; the static audit
- ``grade``: grade one submission (select checks, run them, reference curves, reports)
- ``reports`` / ``feedback``: results.json (Gradescope), JUnit XML, summary, feedback pages with plots
- ``batch``: ``grade-all``, in parallel, with ``grades.csv``
- ``release``: the student repository
"""

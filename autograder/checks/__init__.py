"""Checks by chapter: ``public/chN.py`` ships to students, ``hidden/chN.py`` stays with the instructor."""

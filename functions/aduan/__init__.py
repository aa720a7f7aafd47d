"""Aduan: citizens' posts to government X accounts, filed as tracked reports.

The package is split in two: a pure core (no I/O, no environment reads) and
``aduan.adapters`` (X, Pub/Sub, Firestore, SMTP, files) that the entry points in
``functions/main.py`` build and pass in.
"""

"""The weekly digest: what came in for an agency, what is waiting and what is overdue.

Pure core (``week``, ``model``, ``render``, ``mime``, ``delivery``) plus the job
that wires it to Firestore and SMTP (``job``) and the preview command
(``python -m aduan.digest``). The core never imports an adapter.
"""

"""The public status page, the Open311 GeoReport v2 API and the agencies' action pages.

``app.handle`` is the entry point; ``views``, ``open311`` and ``change`` are the
pure core (documents in, view models / API records / updates out); the
Firestore reads and the atomic change live in ``aduan.adapters.firestore_status``.
"""

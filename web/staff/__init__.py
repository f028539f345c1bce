"""The staff app: conversation review for LSE staff (see web/staff/routes.py)."""

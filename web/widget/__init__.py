"""The website chat widget: assets, demo pages and JSON endpoints (see routes.py)."""

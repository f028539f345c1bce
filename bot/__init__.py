"""LSE first-contact assistant."""

"""Custom Rasa NLU components (thin glue around bot/lse)."""

"""Pure logic of the LSE assistant: no Rasa imports in this package."""

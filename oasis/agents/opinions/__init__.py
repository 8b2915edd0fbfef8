"""Stances: the opinion dynamics models, the interview answer scorers, and their settings."""

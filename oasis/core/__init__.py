"""The vocabulary every part shares: actions, simulated time, random streams, array helpers."""

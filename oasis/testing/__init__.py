"""Test and benchmark tools that ship with the package: the scripted OpenAI-compatible server."""

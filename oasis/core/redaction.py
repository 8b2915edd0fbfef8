"""Secrets in URLs: a database or endpoint URL is shown, stored and printed without its password."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SECRET = "***"


def redact_url(url: str) -> str:
    """``url`` with its password, if it has one, shown as ``***`` (the rest kept as written)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if not password:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:{SECRET}@{host}"))

"""Selectors: read-only queries. Every one that returns account data takes the account."""

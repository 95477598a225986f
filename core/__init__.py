"""Shared plumbing that belongs to no single layer: settings, errors, logging, database."""

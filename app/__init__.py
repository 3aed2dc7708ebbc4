"""Composition root: settings, the Starlette app, authentication, the ``roster`` CLI."""

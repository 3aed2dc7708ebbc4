"""Strawberry types. ``build_schema(config)`` assembles the schema for one configuration."""

"""Per-request DataLoaders: one batch query per lookup kind, however many objects ask.

Strawberry's ``DataLoader`` is the one Strawberry import allowed below ``schema/``: it is a
plain batching utility with no GraphQL in it.
"""

"""Hostile GraphQL requests generated from the introspected schema (issue 11), and the
machinery that sends them and judges the answers (``run.py``, which the three
``tests/api/test_hostile_*.py`` run).

Why generated, not written by hand: a hand-written list covers the arguments someone thought
of; walking the schema that the server itself reports covers every root field, every argument
below the root, every mutation input field, and whatever an issue adds later. Why
deterministic: a failure must be reproducible, so everything comes from ``random.Random(seed)``,
the introspected schema and the values of the seeded data (which the test creates with fixed
names on a fresh database).

What a request looks like: one wrong thing at one position (an argument, an input field, a
cursor, an ID), everything else valid, so a failure names its cause; plus whole-document
oddities (fragments, aliases, nesting, variables misuse, several operations) and a handful of
transport oddities (malformed JSON, content types, headers).

The modules, in the order a reader needs them:

- ``schema_info``: the introspected schema as small typed records.
- ``literals``: values rendered as GraphQL literals and JSON (enums, raw numbers, variables).
- ``catalogues``: the hostile values by kind (strings, ints, search terms, cursors, IDs).
- ``model``: ``Seeds`` (valid values from the seeded data) and ``HostileRequest``.
- ``base``: ``GeneratorBase``, valid values, selections and paths from the root.
- ``arguments``, ``documents``, ``limits_and_transport``: the request families.
- ``generator``: ``Generator``, all families in a fixed order.
- ``seeding`` and ``judging``: what the test creates first, and how it judges each answer.
- ``run``: the test itself, which each of the three test modules runs on some families.
"""

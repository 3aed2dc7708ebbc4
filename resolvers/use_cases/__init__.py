"""The use cases: every write Roster makes, one module per area.

A use case is where a write is decided: it validates the input with ``domain`` rules, checks
it against storage (uniqueness, existence, a backend that may be written), writes in one
transaction through ``datasources`` and returns an :class:`~datasources.unit_of_work.Outcome`
(the record as stored, or the :class:`~domain.errors.Problem` list that stopped it, nothing
written). It takes the :class:`~datasources.storage.Storage` and the acting
:class:`~resolvers.context.Actor` first, then typed domain values: no GraphQL here, so the
schema (through ``resolvers.mutations.run_mutation``), the CLI and the demo data all call the
same functions.

``datasources/`` below only stores and reads; ``schema/`` above only maps GraphQL inputs to
the typed values and outcomes to payloads.
"""

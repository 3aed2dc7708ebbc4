"""Thin resolvers: authorize, call the directory, hand records back to the schema layer."""

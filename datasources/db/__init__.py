"""The database stores. Importing the package installs the per-database SQL spellings
(``datasources.db.dialect``: ``lower()`` on MariaDB/MySQL) before any statement is built."""

from datasources.db import dialect as dialect

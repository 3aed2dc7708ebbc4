"""Pure rules of Roster: records, validity, validation, passwords. No I/O happens here."""

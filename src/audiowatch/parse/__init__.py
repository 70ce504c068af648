"""Turn fetched Head-Fi HTML into listing records, with no I/O."""

"""Storage in DuckDB: the only package that writes SQL."""

"""Configuration: the pydantic model of every key, and loading it from YAML with file:line errors."""

"""Config files for load tests: write one, and read back the problems loading it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiowatch.config.load import load_config
from audiowatch.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> str:
    """Load ``path``, expect ConfigError, and return its message."""
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)

"""`audiowatch init`: write a commented starter config and the data folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from audiowatch.cli import options


@click.command()
@options.config_option
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
def init(config_path: Path, force: bool) -> None:
    """Write a commented starter config.yaml and create its data folder.

    \b
    Example:
      audiowatch init
      audiowatch init --config ~/.config/audiowatch/config.yaml
    """
    from audiowatch.config.load import load_config
    from audiowatch.errors import ConfigError

    if config_path.exists() and not force:
        raise ConfigError(f"{config_path} already exists; edit it, or pass --force to replace it "
                          "with the starter config.")
    config_path.parent.mkdir(parents=True, exist_ok=True)
    starter = resources.files("audiowatch.config").joinpath("starter.yaml").read_text(encoding="utf-8")
    config_path.write_text(starter, encoding="utf-8")
    config = load_config(config_path)
    config.database_path.parent.mkdir(parents=True, exist_ok=True)
    click.echo(f"Wrote {config_path}; listings will be stored in {config.database_path}.")
    click.echo("Next: edit the rules, then try `audiowatch tick --dry-run`.")

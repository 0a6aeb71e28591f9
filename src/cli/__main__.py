from src.cli.commands import cli

cli()

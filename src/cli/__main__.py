from src.cli.commands import cli
from src.cli.errors import run


def main() -> None:
    """`publishing-api` and `python -m src.cli`."""
    run(cli)


if __name__ == "__main__":
    main()

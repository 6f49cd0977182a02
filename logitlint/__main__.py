"""The ``logitlint`` command (and ``python -m logitlint``).

The CLI's modules are imported with their dataclass code table (``_fastimport``):
a tenth of the editor path's start otherwise goes to compiling the ``__init__``s of
the settings, diagnostics and runner classes again.
"""

from logitlint._fastimport import import_compiled

STARTUP = ("logitlint.cli", "logitlint.runner", "logitlint.discovery")


def main() -> None:
    import_compiled(STARTUP, "startup")
    from logitlint.cli import main as cli

    cli()


if __name__ == "__main__":
    main()

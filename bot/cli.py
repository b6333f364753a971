"""The command line: run the bot, chat in the terminal, migrate, or check the configuration.

Exit codes: 0 fine, 2 configuration problem (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Settings, load_settings
from bot.config_errors import ConfigError
from bot.logs import setup_logging

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1  # the database may come up later: a restart can help


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "console", "migrate", "check-config", "export-sqlite-to-postgres"],
        help="run: the Telegram bot (default); console: chat in the terminal with the demo "
        "source; migrate: apply database migrations; check-config: validate settings; "
        "export-sqlite-to-postgres: copy a SQLite installation (--from, default DATABASE_URL) "
        "into an empty PostgreSQL database (--to)",
    )
    parser.add_argument(
        "--from", dest="source", help="export: the SQLite URL (default DATABASE_URL)"
    )
    parser.add_argument("--to", dest="target", help="export: the postgresql:// URL")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "export-sqlite-to-postgres" and (args.source or args.target):
        parser.error("--from and --to belong to export-sqlite-to-postgres")
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, settings.log_format)
    if args.command == "check-config":
        return _check_config(settings)
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "export-sqlite-to-postgres":
        return asyncio.run(_export(args.source or settings.database_url, args.target))
    return _start(args.command, settings)


def _start(command: str, settings: Settings) -> int:
    # Imported here: aiogram takes seconds to import, and config checks should be instant.
    if command == "console":
        from bot.console import run_console  # noqa: PLC0415

        return asyncio.run(run_console(settings))
    if settings.bot_token is None:
        print(
            "BOT_TOKEN is not set: put the token from @BotFather into .env or the environment "
            "(or try `make demo` to chat with the bot in the terminal).",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from bot.runner import run_bot  # noqa: PLC0415

    return asyncio.run(run_bot(settings))


def _check_config(settings: Settings) -> int:
    sources = ", ".join(settings.enabled_sources) or "none (codes cannot be tracked yet)"
    print(
        f"Configuration OK. Database: {settings.database_place}; sources: {sources}; "
        f"mode: {settings.mode}; token: {'set' if settings.bot_token else 'NOT SET'}"
    )
    for idle in settings.idle_settings:
        print(f"Note: {idle}")
    return 0


async def _export(source: str, target: str | None) -> int:
    """Copy a SQLite installation into an empty PostgreSQL database, ids and all."""
    from storage import StorageError  # noqa: PLC0415
    from storage.export import export_sqlite_to_postgres  # noqa: PLC0415

    if not target or not target.startswith(("postgresql://", "postgres://")):
        print("export: give the target as --to postgresql://...", file=sys.stderr)
        return EXIT_CONFIG
    try:
        counts = await export_sqlite_to_postgres(source, target)
    except StorageError as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for table, rows in counts.items():
        print(f"{table}: {rows}")
    print("Done. Set DATABASE_URL to the PostgreSQL URL and start the bot.")
    return 0


async def _migrate(settings: Settings) -> int:
    from storage import StorageError, migrate  # noqa: PLC0415

    try:
        before, after = await migrate(settings.database_url)
    except StorageError as exc:
        print(f"cannot migrate the database at DATABASE_URL: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    print(f"Database schema: version {before} -> {after}")
    return 0

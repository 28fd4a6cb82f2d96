"""README's table of commands, written from the command table (a test keeps them equal)."""

from __future__ import annotations

from core.commands import COMMANDS

PLATFORM_NAMES = {"console": "console", "telegram": "Telegram", "discord": "Discord"}
ADMINS = (
    "in groups: administrators (Telegram: chat admins; Discord: Manage Server, "
    "Manage Channels for a channel; members don't see it)"
)

OWNERS = "only the bot's owners (`[access] owners`); anyone else is refused"


def commands_table() -> str:
    """The Markdown table of every listed command: usage, what it does, who, where."""
    rows = ["| command | does | who may change things | where |", "|---|---|---|---|"]
    for command in COMMANDS:
        if not command.listed:
            continue
        usage = f" {command.usage('en')}" if command.usage else ""
        name = f"`/{command.name}{usage}`".replace("|", "\\|")
        who = {"everyone": "everyone", "owners": OWNERS}.get(command.who, ADMINS)
        where = ", ".join(name for key, name in PLATFORM_NAMES.items() if key in command.platforms)
        rows.append(f"| {name} | {command.description('en')} | {who} | {where} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(commands_table())

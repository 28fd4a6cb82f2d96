"""The Discord frontend (discord.py): slash commands, DMs and mentions over the one core."""

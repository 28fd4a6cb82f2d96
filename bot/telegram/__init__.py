"""The Telegram frontend: python-telegram-bot over the shared GodService."""

"""/privacy, /export and /forget all on the real discord.py stack against the fake Discord: the
attachment, the confirmation buttons and who may press them, and what is left in the store."""

from __future__ import annotations

import json
import time

from bot.discord.frontend import DiscordFrontend
from core.service import GodService
from tests.fakes.discord_api import EPHEMERAL, FakeDiscord, User
from tests.storage.helpers import rows_mentioning

WAIT = 10.0


def _member(fake: FakeDiscord, name: str) -> User:
    user = fake.add_user(name)
    fake.add_member(fake.guild, user)
    return user


async def _ask(fake: FakeDiscord, user: User, glyphs: str) -> None:
    ref = await fake.send_interaction("glyph", {"message": glyphs}, user=user)
    await ref.followup(timeout=WAIT)


async def test_privacy_is_for_the_askers_eyes(fake: FakeDiscord, frontend: DiscordFrontend) -> None:
    ref = await fake.send_interaction("privacy", user=fake.user)
    callback = await ref.callback()
    assert callback.json["data"]["flags"] == EPHEMERAL
    said = (await ref.followup(timeout=WAIT)).json["content"]
    assert "What I keep about you" in said and "until you erase it" in said


async def test_export_attaches_every_message_of_the_user_and_no_one_elses(
    fake: FakeDiscord, frontend: DiscordFrontend
) -> None:
    alice, bob = _member(fake, "alice_seeker"), _member(fake, "bob_builder")
    await _ask(fake, alice, "🜂⧖🕯")
    await _ask(fake, bob, "☍🜂")
    await _ask(fake, alice, "⚗⟁🔥")
    ref = await fake.send_interaction("export", user=alice)
    followup = await ref.followup(timeout=WAIT)
    assert "2 questions" in followup.json["content"]
    assert fake.messages[ref.original_message_id or ""]["flags"] & EPHEMERAL
    [upload] = followup.files
    assert upload.filename == f"silentgod-discord-{alice.id}.json"
    exported = json.loads(upload.data)
    assert exported["user"]["name"] == "alice_seeker"
    assert [e["question"] for e in exported["exchanges"]] == ["🜂⧖🕯", "⚗⟁🔥"]
    assert [e["chat"] for e in exported["exchanges"]] == [fake.guild.id] * 2
    # the slash commands she sent, kept for delivery, found by their sender
    commands = [u["payload"]["command"] for u in exported["raw_updates"]]
    assert commands == ["glyph", "glyph", "export"]
    document = upload.data.decode()
    assert "bob_builder" not in document and bob.id not in document and "☍" not in document


async def test_forget_all_asks_first_and_only_the_asker_may_answer(
    fake: FakeDiscord, frontend: DiscordFrontend, god_service: GodService
) -> None:
    alice, bob = _member(fake, "alice_seeker"), _member(fake, "bob_builder")
    await _ask(fake, alice, "🜂⧖🕯")
    await _ask(fake, bob, "☍🜂")
    ref = await fake.send_interaction("forget", {"scope": "all"}, user=alice)
    asked = await ref.followup(timeout=WAIT)
    assert "This cannot be undone" in asked.json["content"]
    [row] = asked.json["components"]
    yes, no = row["components"]
    assert yes["custom_id"].startswith(f"silentgod:erase:y:{alice.id}:") and yes["style"] == 4
    assert no["custom_id"].startswith(f"silentgod:erase:n:{alice.id}:")
    question = ref.original_message_id or ""

    # Bob presses it: he alone is told, nothing is erased
    click = await fake.send_component_interaction(yes["custom_id"], message=question, user=bob)
    assert (await click.callback()).json["type"] == 6
    told = await click.followup(timeout=WAIT)
    assert "Only the person" in told.json["content"] and told.json["flags"] == EPHEMERAL
    assert await rows_mentioning(god_service.store.sessions, alice.id)

    # a stale button (on a question asked an hour ago) is refused
    stale = f"silentgod:erase:y:{alice.id}:{int(time.time()) - 3600}"
    click = await fake.send_component_interaction(stale, channel=fake.channel, user=alice)
    assert "expired" in (await click.followup(timeout=WAIT)).json["content"]

    # Alice cancels: the question becomes the answer, the buttons go
    click = await fake.send_component_interaction(no["custom_id"], message=question, user=alice)
    edit = await click.original_edit(timeout=WAIT)
    assert edit.json["content"] == "Nothing was erased." and edit.json["components"] == []
    assert await rows_mentioning(god_service.store.sessions, alice.id, "alice_seeker")

    # Alice confirms: nothing about her is left, Bob keeps everything of his
    ref = await fake.send_interaction("forget", {"scope": "all"}, user=alice)
    [row] = (await ref.followup(timeout=WAIT)).json["components"]
    click = await fake.send_component_interaction(
        row["components"][0]["custom_id"], message=ref.original_message_id, user=alice
    )
    edit = await click.original_edit(timeout=WAIT)
    assert edit.json["content"].startswith("Erased: your user record, 1 of your messages")
    assert fake.messages[ref.original_message_id or ""]["components"] == []
    assert await rows_mentioning(god_service.store.sessions, alice.id, "alice_seeker") == []
    assert await rows_mentioning(god_service.store.sessions, bob.id, "bob_builder")

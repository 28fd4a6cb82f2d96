"""[access] through the real Telegram stack: who is answered, who is told once, what is kept."""

from __future__ import annotations

from pathlib import Path

from core.access import AccessSettings
from core.service import GodService
from core.texts import say
from tests.access.conftest import WAIT, Clock, eventually, rows, telegram
from tests.fakes.telegram_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI

BLOCKED = 6660001
REFUSAL = say("no_access", "en")


def refusals(fake: FakeBotAPI, chat_id: int) -> list[str]:
    texts = [m.get("text") for m in fake.sent_messages(chat_id)]
    return [t for t in texts if t == REFUSAL]


async def test_a_blocked_user_is_told_once_a_day_and_nothing_of_theirs_is_kept(
    god_service: GodService, db_path: Path, clock: Clock
) -> None:
    god_service.configure_access(AccessSettings(block_users=(str(BLOCKED),)))
    db = db_path

    def settled(update_ids: list[int]) -> bool:
        ids = ",".join(str(i) for i in update_ids)
        found = rows(db, f"SELECT status FROM intake WHERE event_id IN ({ids})")
        return len(found) == len(update_ids) and all(s == "refused" for (s,) in found)

    async with telegram(god_service) as (fake, _):

        async def blocked_then_alice(n: int) -> list[int]:
            """The blocked user asks n times in the group, then Alice; the group's updates are
            handled in order, so Alice's answer comes after every one of theirs."""
            pushed = [
                fake.push_update(
                    fake.command("glyph", "🜂⧖🕯", chat_id=DEFAULT_GROUP_ID, mention=True,
                                 user_id=BLOCKED, username="mallory", first_name="Mallory")
                )["update_id"]
                for _ in range(n)
            ]  # fmt: skip
            mark = fake.mark()
            fake.push_update(fake.command("glyph", "🜂⧖🕯", chat_id=DEFAULT_GROUP_ID, mention=True))
            answer = await fake.wait_for(
                "sendMessage", lambda c: c.params["text"] == "⟁☰☉⚭", since=mark, timeout=WAIT
            )
            assert answer.ok
            return pushed

        first = await blocked_then_alice(3)
        assert refusals(fake, DEFAULT_GROUP_ID) == [REFUSAL]  # one refusal for three messages
        # in their private chat: no answer either (told already today)
        private = [
            fake.push_update(update)["update_id"]
            for update in (
                fake.private_message("🜂⧖🕯", user_id=BLOCKED, username="mallory"),
                fake.command("help", user_id=BLOCKED, username="mallory"),
            )
        ]
        await eventually(lambda: settled(private), "their private messages handled")
        clock.next_day()
        second = await blocked_then_alice(2)
        assert refusals(fake, DEFAULT_GROUP_ID) == [REFUSAL, REFUSAL]  # told again, once

        await eventually(lambda: settled(first + private + second), "their updates refused")
        assert fake.sent_messages(BLOCKED) == []
    users = {external for (external,) in rows(db, "SELECT external_id FROM users")}
    assert users == {str(DEFAULT_USER_ID)}
    assert rows(db, "SELECT COUNT(*) FROM chats WHERE external_id = ?", str(BLOCKED)) == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM messages WHERE text LIKE '%mallory%'") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM messages WHERE role = 'user'") == [(2,)]  # Alice's
    for event_id in first + private + second:
        [(payload, chat, user, status)] = rows(
            db,
            "SELECT payload, chat_external_id, user_external_id, status FROM intake "
            "WHERE event_id = ?",
            str(event_id),
        )
        assert (payload, chat, user, status) == ("", None, None, "refused")
    # the raw updates kept for delivery never mention them (the other updates are kept)
    kept = rows(db, "SELECT payload FROM intake WHERE payload != ''")
    assert kept and not [p for (p,) in kept if str(BLOCKED) in p or "mallory" in p]
    metrics = god_service.metrics.text().decode()
    assert 'silentgod_refusals_total{kind="not_allowed",platform="telegram"} 7.0' in metrics


async def test_allow_lists_by_id_and_username_and_owners_always(
    god_service: GodService, db_path: Path
) -> None:
    god_service.configure_access(
        AccessSettings(
            owners=("@carol",),
            allow_users=("@Alice", "2002"),
            block_users=("@carol",),
        )
    )
    async with telegram(god_service) as (fake, _):

        async def reply(user_id: int, username: str | None) -> str:
            mark = fake.mark()
            fake.push_update(fake.private_message("🜂⧖🕯", user_id=user_id, username=username))
            call = await fake.wait_for(
                "sendMessage", lambda c: c.params["chat_id"] == user_id, since=mark, timeout=WAIT
            )
            return str(call.params["text"]).split("\n")[0]

        assert await reply(DEFAULT_USER_ID, "alice") == "⟁☰☉⚭"  # by @username (any case)
        assert await reply(2002, None) == "⟁☰☉⚭"  # by id
        assert await reply(3003, "dave") == REFUSAL.split("\n")[0]  # neither
        assert await reply(4004, "carol") == "⟁☰☉⚭"  # an owner: blocked and not allowed
        # an allowed user in a group that is not on the list is still answered (no chat list)
        mark = fake.mark()
        fake.push_update(fake.command("glyph", "🜂⧖🕯", chat_id=-100777, mention=True))
        call = await fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == -100777, since=mark, timeout=WAIT
        )
        assert call.params["text"] == "⟁☰☉⚭"
    users = {external for (external,) in rows(db_path, "SELECT external_id FROM users")}
    assert users == {str(DEFAULT_USER_ID), "2002", "4004"}


async def test_chat_lists_by_id_and_username(god_service: GodService) -> None:
    god_service.configure_access(AccessSettings(allow_chats=("@templechat", str(DEFAULT_USER_ID))))
    async with telegram(god_service) as (fake, _):
        fake.push_update(fake.command("glyph", "🜂⧖🕯", chat_id=-100555, mention=True))
        refused = await fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == -100555, timeout=WAIT
        )
        assert refused.params["text"] == REFUSAL
        update = fake.command("glyph", "🜂⧖🕯", chat_id=-100556, mention=True, user_id=2)
        update["message"]["chat"]["username"] = "TempleChat"
        mark = fake.mark()
        fake.push_update(update)
        answered = await fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == -100556, since=mark, timeout=WAIT
        )
        assert answered.params["text"] == "⟁☰☉⚭"
        mark = fake.mark()
        fake.push_update(fake.private_message("🜂⧖🕯"))  # Alice's private chat is listed
        mine = await fake.wait_for("sendMessage", since=mark, timeout=WAIT)
        assert mine.params["text"].startswith("⟁☰☉⚭\n")

"""Hearing people as they type: typos, colloquial spellings, words run together, word
families and phrases split by other words (issue #18)."""

from __future__ import annotations

import io
import json
import time

import pytest

from bot.cli import main
from core.bridge.lexicon_bridge import LexiconBridge
from core.bridge.metrics import DATASETS, concept_scores, load_sentences
from core.bridge.spelling import bound, cost
from core.bridge.typos import typo_records, write_typo_copy
from core.evaluation import evaluate_all
from core.language.lexicon import LexiconError, parse_hearing_table


def heard(bridge, text: str, language: str | None = None) -> tuple[tuple[str, ...], list]:
    result = bridge.hear(text, language)
    return result.concepts, result.extra["corrected"]


def test_a_misspelt_word_is_heard_and_reported(bridge) -> None:
    result = bridge.hear("огонь и врмея")
    assert result.concepts == ("fire", "time")
    assert result.unknown == ()
    assert result.extra["corrected"] == [["врмея", "время"]]
    assert result.extra["spans"] == ["огонь", "врмея"]


@pytest.mark.parametrize(
    ("text", "concepts", "read_as"),
    [
        ("зафтра", ("future",), "завтра"),  # spelt as heard
        ("beggining", ("beginning",), "beginning"),  # a double in the wrong place
        ("tomorow", ("future",), "tomorrow"),  # a double lost
        ("fier", ("fire",), "fire"),  # two letters swapped
        ("watr", ("water",), "water"),  # a letter dropped
        ("солнцэ", ("sun",), "солнце"),  # a vowel that sounds alike
        ("лубовь", ("love",), "любовь"),
        ("смешай огонь и вадой", ("alembic", "fire", "water"), "водой"),
    ],
)
def test_real_misspellings(bridge, text: str, concepts: tuple[str, ...], read_as: str) -> None:
    got, corrected = heard(bridge, text)
    assert got == concepts
    assert [pair[1] for pair in corrected] == [read_as]


def test_colloquial_spellings_come_from_the_hearing_table(bridge) -> None:
    assert heard(bridge, "щас")[0] == ("now",)
    assert heard(bridge, "че будет с огнём")[0] == ("fire",)
    assert heard(bridge, "mix fire n water pls")[0] == ("alembic", "fire", "water")


def test_words_run_together(bridge) -> None:
    assert heard(bridge, "сегоднявечером") == (
        ("now", "evening"),
        [["сегоднявечером", "сегодня вечером"]],
    )
    assert heard(bridge, "огоньи вода")[0] == ("fire", "water")
    assert heard(bridge, "fireand water")[0] == ("fire", "water")


def test_word_families(bridge) -> None:
    for text, key in [
        ("огненный", "fire"),
        ("огненного дракона", "fire"),
        ("водяной", "water"),
        ("лунный свет", "moon"),
        ("fiery", "fire"),
        ("darkness", "darkness"),
        ("stormy", "storm"),
        ("a golden crown", "gold"),
        ("fearful", "fear"),
    ]:
        concepts, corrected = heard(bridge, text)
        assert key in concepts, text
        assert corrected == [], text


def test_derived_words_the_table_marks_unrelated_stay_out(bridge) -> None:
    assert heard(bridge, "светский")[0] == ()
    assert heard(bridge, "handy")[0] == ()


def test_a_phrase_split_by_other_words(bridge) -> None:
    result = bridge.hear("turn lead into gold")
    assert result.concepts == ("becoming", "lead", "gold")
    assert result.extra["spans"][0] == "turn into"
    # A function word opens no phrase across a gap: "what … next" is not "then".
    assert bridge.hear("what comes next after night").concepts == ("cycle", "night")


@pytest.mark.parametrize(
    "text",
    [
        "hello world of computers",
        "a banana and a pencil",
        "привет, как дела",
        "компьютер и карандаш",
        "zork",
        "qwxz fghj",
        "ок лол",
    ],
)
def test_real_words_and_gibberish_are_not_turned_into_concepts(bridge, text: str) -> None:
    result = bridge.hear(text)
    assert set(result.concepts) <= {"world"}, result
    assert result.extra["corrected"] == []


def test_the_bound_grows_with_the_word() -> None:
    assert bound("ab") == 0
    assert bound("fre") == 1 and bound("воды") == 1 and bound("fieryy") == 1
    assert bound("beggining") == 2
    assert cost("whaat", "what", "en") < cost("whaat", "wheat", "en")
    assert cost("зафтра", "завтра", "ru") < 1


def test_typo_tolerance_can_be_turned_off(lexicon) -> None:
    plain = LexiconBridge(lexicon, spelling=False)
    result = plain.hear("огонь и врмея")
    assert result.concepts == ("fire",)
    assert result.unknown == ("врмея",)
    assert result.extra["corrected"] == []


def test_a_page_of_gibberish_stays_fast(bridge) -> None:
    words = [f"{a}{b}{c}qz{a}" for a in "bcdfg" for b in "aeiou" for c in "klmnp"]
    text = " ".join(words)[:2_000]
    start = time.perf_counter()
    bridge.hear(text)
    assert time.perf_counter() - start < 1.0


def test_shipped_typo_copies_are_the_seeded_ones(tmp_path) -> None:
    for clean, typos in (("sentences", "typos"), ("held_back", "held_back_typos")):
        out = tmp_path / f"{typos}.jsonl"
        write_typo_copy(DATASETS[clean], out)
        assert out.read_text(encoding="utf-8") == DATASETS[typos].read_text(encoding="utf-8")
    records = load_sentences(DATASETS["sentences"])[:50]
    assert typo_records(records) == typo_records(records)
    assert typo_records(records) != records


def test_held_back_set_is_large_and_marked(lexicon) -> None:
    header = DATASETS["held_back"].read_text(encoding="utf-8").splitlines()[0]
    assert "HELD BACK" in header
    records = load_sentences(DATASETS["held_back"])
    for language in ("ru", "en"):
        assert sum(r["lang"] == language for r in records) >= 150
    assert all(k in lexicon for r in records for k in r["concepts"])


@pytest.mark.parametrize("language", ["ru", "en"])
def test_typo_copy_meets_targets(bridge, language: str) -> None:
    scores = concept_scores(bridge, DATASETS["typos"])
    assert scores[f"concept_recall_{language}"] >= 0.90, scores
    assert scores[f"concept_precision_{language}"] >= 0.95, scores


def test_hearing_table_is_validated(lexicon) -> None:
    with pytest.raises(LexiconError, match="unknown concept"):
        parse_hearing_table({"family": {"en": {"nonsense": ["fiery"]}}}, lexicon)
    with pytest.raises(LexiconError, match="already a word of"):
        parse_hearing_table({"family": {"en": {"water": ["fire"]}}}, lexicon)
    with pytest.raises(LexiconError, match="lower-case ru word"):
        parse_hearing_table({"family": {"ru": {"fire": ["fiery"]}}}, lexicon)
    with pytest.raises(LexiconError, match="unknown section"):
        parse_hearing_table({"families": {}}, lexicon)


def test_bridge_file_from_stdin_prints_one_json_line_each(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("огонь и врмея\nfiery\n🜂🜄\n"))
    assert main(["bridge", "--file", "-", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    documents = [json.loads(line) for line in lines]
    assert [d["concepts"] for d in documents] == [["fire", "time"], ["fire"], ["fire", "water"]]
    assert documents[0]["corrected"] == [["врмея", "время"]]
    assert set(documents[0]) >= {"glyphs", "text", "unknown", "language", "direction", "bridge"}


def test_bridge_file_reads_a_path(tmp_path, capsys) -> None:
    path = tmp_path / "texts.txt"
    path.write_text("water\nогонь\n", encoding="utf-8")
    assert main(["bridge", "--file", str(path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["bridge", "--file", str(tmp_path / "missing.txt")]) == 2


def test_eval_reports_the_new_sets() -> None:
    report = evaluate_all(parts=("lexicon",))
    lexicon = report["bridge"]["lexicon"]  # type: ignore[index]
    assert "concept_recall_ru" in lexicon and "sentences_per_s" in lexicon
    for name in ("typos", "held_back", "held_back_typos"):
        assert set(lexicon[name]) == {
            f"concept_{measure}_{language}"
            for measure in ("recall", "precision")
            for language in ("ru", "en")
        }

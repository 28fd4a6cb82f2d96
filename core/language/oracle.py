"""The god's logic: a rule base over concepts and the one correct answer to a question scene.

A *scene* is a tuple of concept keys. A question scene is read like this:

* ``⤳`` alone ("and then?") asks for what follows the previous answer: the next step of its
  last concept's cycle, else what that concept becomes. It needs the conversation's context.
* Unary operators (``☍`` opposite, ``↻`` next in the cycle, ``⇝`` becomes, ``∴`` causes,
  ``⊂`` part of) stand in front of what they apply to and apply right to left, so
  ``☍↻🜂`` is the opposite of what comes after fire.
* ``⚗ A B`` asks what comes of mixing A and B; ``⚗ A B C`` mixes A with B, then the
  result with C (a left fold). Unary operators may stand in front of a mixture.
* Plain concepts with no operator (one to four) are *contemplated*: the god answers with the
  essence of each, joined by ⚭ unity when there is more than one (🜂⧖🕯 → ⟁☰☉⚭).

A question of one step (one operator on a concept, a mixture of two) is answered with its
result. A question of several steps is answered with the *path*: the result of each step in
the order they are taken (``↻↻↻ dawn`` → day, dusk, night), so the god shows how it got
there; where a step has no fact behind it, the path ends with the silence glyph. Anything
else, or a first step with no fact behind it, is answered with the god's silence alone.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from core.errors import SilentGodError
from core.language.lexicon import DATA_DIR, Lexicon, load_lexicon

DEFAULT_RULES_PATH = DATA_DIR / "rules.toml"

Scene = tuple[str, ...]

SILENCE = "silence"
UNITY = "unity"
MIXTURE = "alembic"
THEN = "then"
UNARY_OPERATORS: Mapping[str, str] = {
    "opposition": "opposite",
    "cycle": "next",
    "becoming": "becomes",
    "cause": "causes",
    "part": "part_of",
}
OPERATORS = frozenset({*UNARY_OPERATORS, MIXTURE, THEN})
SILENT: Scene = (SILENCE,)
MAX_CHAIN = 3
MAX_CONTEMPLATED = 4
RELATIONS = ("opposite", "next", "becomes", "causes", "part_of", "essence", "mixture")


class RulesError(SilentGodError, ValueError):
    """The rule base file is malformed; the message names the offending fact."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One question and the god's answer, as context for the next question."""

    question: Scene
    answer: Scene


@dataclass(frozen=True)
class RuleBase:
    """Typed relations between concepts."""

    opposite: Mapping[str, str]
    next: Mapping[str, str]
    becomes: Mapping[str, str]
    causes: Mapping[str, str]
    part_of: Mapping[str, str]
    essence: Mapping[str, str]
    mixture: Mapping[frozenset[str], Scene]
    cycles: tuple[Scene, ...] = field(default=())

    def relation(self, name: str) -> Mapping[str, str]:
        """One of the single-valued relations by name."""
        return {
            "opposite": self.opposite,
            "next": self.next,
            "becomes": self.becomes,
            "causes": self.causes,
            "part_of": self.part_of,
            "essence": self.essence,
        }[name]

    def mix(self, first: str, second: str) -> Scene | None:
        """What comes of mixing two different concepts, if the rule base knows."""
        if first == second:
            return None
        return self.mixture.get(frozenset((first, second)))

    def successor(self, concept: str) -> str | None:
        """What follows a concept: its next step in a cycle, else what it becomes."""
        return self.next.get(concept) or self.becomes.get(concept)

    def concepts(self) -> frozenset[str]:
        """Every concept the rules mention."""
        found: set[str] = set()
        for name in ("opposite", "next", "becomes", "causes", "part_of", "essence"):
            for left, right in self.relation(name).items():
                found.update((left, right))
        for pair, result in self.mixture.items():
            found.update(pair)
            found.update(result)
        return frozenset(found)


def _pairs(table: object, name: str) -> list[tuple[str, str]]:
    if not isinstance(table, list):
        raise RulesError(f"rules [{name}]: expected a list of [from, to] pairs")
    pairs: list[tuple[str, str]] = []
    for item in table:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(k, str) for k in item)
        ):
            raise RulesError(f"rules [{name}]: {item!r} is not a pair of concept keys")
        pairs.append((item[0], item[1]))
    return pairs


def _functional(pairs: Iterable[tuple[str, str]], name: str) -> dict[str, str]:
    relation: dict[str, str] = {}
    for left, right in pairs:
        if left == right:
            raise RulesError(f"rules [{name}]: {left} cannot relate to itself")
        if left in relation and relation[left] != right:
            raise RulesError(
                f"rules [{name}]: {left} has two results ({relation[left]} and {right})"
            )
        relation[left] = right
    return relation


def parse_rules(data: Mapping[str, object], lexicon: Lexicon) -> RuleBase:
    """Validate parsed TOML against the lexicon and build the rule base."""

    def table(name: str) -> Mapping[str, object]:
        value = data.get(name)
        if not isinstance(value, dict):
            raise RulesError(f"rules: missing table [{name}]")
        return value

    opposite: dict[str, str] = {}
    for left, right in _pairs(table("opposite").get("pairs"), "opposite"):
        for a, b in ((left, right), (right, left)):
            if opposite.get(a, b) != b or a == b:
                raise RulesError(f"rules [opposite]: {a} has two opposites or is its own")
            opposite[a] = b

    next_step: dict[str, str] = {}
    raw_cycles = table("cycle").get("cycles")
    if not isinstance(raw_cycles, list):
        raise RulesError("rules [cycle]: expected cycles = [[...], ...]")
    cycles: list[Scene] = []
    for cycle in raw_cycles:
        if not isinstance(cycle, list) or len(cycle) < 2:
            raise RulesError(f"rules [cycle]: {cycle!r} needs at least two concepts")
        for index, concept in enumerate(cycle):
            if concept in next_step:
                raise RulesError(f"rules [cycle]: {concept} is in two cycles")
            next_step[concept] = cycle[(index + 1) % len(cycle)]
        cycles.append(tuple(cycle))

    relations = {
        name: _functional(_pairs(table(name).get("facts"), name), name)
        for name in ("becomes", "causes", "part_of", "essence")
    }

    mixture: dict[frozenset[str], Scene] = {}
    raw_mixture = table("mixture").get("pairs")
    if not isinstance(raw_mixture, list):
        raise RulesError("rules [mixture]: expected pairs = [{of = [...], gives = [...]}, ...]")
    for item in raw_mixture:
        of, gives = (item.get("of"), item.get("gives")) if isinstance(item, dict) else (None, None)
        if not (isinstance(of, list) and len(of) == 2 and of[0] != of[1]):
            raise RulesError(f"rules [mixture]: {item!r} must mix two different concepts")
        if not (isinstance(gives, list) and gives):
            raise RulesError(f"rules [mixture]: {item!r} gives nothing")
        pair = frozenset(of)
        if pair in mixture:
            raise RulesError(f"rules [mixture]: {of[0]} + {of[1]} is defined twice")
        mixture[pair] = tuple(gives)

    rules = RuleBase(
        opposite=opposite,
        next=next_step,
        becomes=relations["becomes"],
        causes=relations["causes"],
        part_of=relations["part_of"],
        essence=relations["essence"],
        mixture=mixture,
        cycles=tuple(cycles),
    )
    for concept in sorted(rules.concepts()):
        if concept not in lexicon:
            raise RulesError(f"rules: {concept!r} is not a concept of the lexicon")
        if concept in OPERATORS or concept == SILENCE:
            raise RulesError(f"rules: {concept!r} is an operator or silence, not a concept")
    return rules


def read_rules(path: Path, lexicon: Lexicon) -> RuleBase:
    """Load and validate a rule base file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"rules file {path}: {error}") from error
    return parse_rules(data, lexicon)


@cache
def load_rules() -> RuleBase:
    """The rule base that ships with the package."""
    return read_rules(DEFAULT_RULES_PATH, load_lexicon())


@dataclass(frozen=True, slots=True)
class Reading:
    """How a question scene parses: its construct and the answer it has."""

    construct: str
    answer: Scene

    @property
    def silent(self) -> bool:
        return self.answer == SILENT


def _subject(scene: Scene) -> str | None:
    """The concept an "and then?" continues from: the last one that is not unity."""
    for concept in reversed(scene):
        if concept not in (UNITY, SILENCE):
            return concept
    return None


def read_question(
    question: Sequence[str], context: Sequence[Exchange] = (), rules: RuleBase | None = None
) -> Reading:
    """Parse a question scene and compute its answer (or silence) with its construct name."""
    rules = rules or load_rules()
    question = tuple(question)
    if not question or SILENCE in question:
        return Reading("silence", SILENT)

    if question == (THEN,):
        if not context:
            return Reading("then", SILENT)
        subject = _subject(context[-1].answer)
        following = rules.successor(subject) if subject else None
        return Reading("then", (following,) if following else SILENT)

    operators: list[str] = []
    rest = question
    while rest and rest[0] in UNARY_OPERATORS:
        operators.append(rest[0])
        rest = rest[1:]
    if not rest or len(operators) > MAX_CHAIN:
        return Reading("chain" if operators else "silence", SILENT)

    path: list[str] = []
    if rest[0] == MIXTURE:
        ingredients = rest[1:]
        construct = "mixture" if len(ingredients) == 2 else "mixture3"
        if operators:
            construct = f"{construct}_chain"
        if len(ingredients) not in (2, 3) or any(k in OPERATORS for k in ingredients):
            return Reading(construct, SILENT)
        mixed = rules.mix(ingredients[0], ingredients[1])
        if mixed is None:
            return Reading(construct, SILENT)
        if len(ingredients) == 2 and not operators:
            return Reading(construct, mixed)
        if len(mixed) != 1:  # a process scene is an end: nothing mixes with it further
            return Reading(construct, SILENT)
        path.append(mixed[0])
        if len(ingredients) == 3:
            again = rules.mix(mixed[0], ingredients[2])
            if again is None or len(again) != 1:
                return Reading(construct, (*path, SILENCE))
            path.append(again[0])
    elif any(k in OPERATORS for k in rest):
        return Reading("silence", SILENT)
    elif not operators:
        if len(rest) > MAX_CONTEMPLATED:
            return Reading("essence", SILENT)
        essences = [rules.essence.get(k) for k in rest]
        if any(e is None for e in essences):
            return Reading("essence", SILENT)
        scene = tuple(e for e in essences if e)
        return Reading("essence", scene if len(scene) == 1 else (*scene, UNITY))
    elif len(rest) == 1:
        construct = UNARY_OPERATORS[operators[0]] if len(operators) == 1 else "chain"
    else:
        return Reading("silence", SILENT)

    current = path[-1] if path else rest[0]
    for operator in reversed(operators):
        following = rules.relation(UNARY_OPERATORS[operator]).get(current)
        if following is None:
            return Reading(construct, (*path, SILENCE) if path else SILENT)
        path.append(following)
        current = following
    return Reading(construct, tuple(path))


def answer(
    question: Sequence[str], context: Sequence[Exchange] = (), rules: RuleBase | None = None
) -> Scene:
    """The correct answer scene to a question, or ``(SILENCE,)`` when there is none."""
    return read_question(question, context, rules).answer

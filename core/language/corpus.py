"""A deterministic corpus of question/answer scenes and dialogues, drawn from the oracle.

Atomic facts (one operator on one concept, a mixture of two, one concept contemplated) all go
to training. Compositions of facts (chains of operators, an operator on a mixture, mixtures of
three, several concepts contemplated together) are split by a stable hash of the question: the
held-out share never occurs in training, so measuring it measures whether the god learned the
rules rather than the sentences. Held-out questions are new compositions of facts that training
does contain; a model cannot guess a fact it never saw.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from core.language.oracle import (
    MAX_CONTEMPLATED,
    MIXTURE,
    OPERATORS,
    SILENT,
    THEN,
    UNARY_OPERATORS,
    Exchange,
    RuleBase,
    Scene,
    read_question,
)

COMPOSITE_CONSTRUCTS = ("chain", "mixture3", "mixture_chain", "essence_many")
DEFAULT_WEIGHTS: dict[str, float] = {
    "atomic": 0.22,
    "mixture": 0.14,
    "chain": 0.18,
    "mixture3": 0.12,
    "mixture_chain": 0.1,
    "essence_many": 0.12,
    "silence": 0.06,
    "essence_one": 0.06,
}


@dataclass(frozen=True, slots=True)
class Example:
    """One question, its answer, its family, and the previous exchange if any."""

    question: Scene
    answer: Scene
    construct: str
    context: Exchange | None = None


@dataclass
class Corpus:
    """Question scenes grouped by family, split into training and held-out."""

    seed: int
    train: dict[str, list[Example]] = field(default_factory=dict)
    heldout: dict[str, list[Example]] = field(default_factory=dict)

    def train_questions(self) -> set[Scene]:
        """Every question scene that training may show."""
        return {ex.question for group in self.train.values() for ex in group}

    def heldout_questions(self) -> set[Scene]:
        """Every question scene kept out of training."""
        return {ex.question for group in self.heldout.values() for ex in group}

    def size(self) -> dict[str, dict[str, int]]:
        """Counts per family and split."""
        return {
            "train": {k: len(v) for k, v in self.train.items()},
            "heldout": {k: len(v) for k, v in self.heldout.items()},
        }


def _stable_share(seed: int, question: Scene) -> float:
    digest = hashlib.blake2b(f"{seed}:{'|'.join(question)}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _example(question: Scene, rules: RuleBase, family: str) -> Example:
    return Example(question, read_question(question, (), rules).answer, family)


def _chains(rules: RuleBase, concepts: Sequence[str], length: int) -> Iterator[Scene]:
    """Chains whose first step is a fact (later steps may end the path in silence)."""
    for operators in itertools.product(UNARY_OPERATORS, repeat=length):
        for concept in concepts:
            question = (*operators, concept)
            if read_question(question, (), rules).answer != SILENT:
                yield question


def build_corpus(
    rules: RuleBase,
    seed: int = 0,
    heldout_share: float = 0.12,
    contemplations: int = 24_000,
    silences: int = 3_000,
) -> Corpus:
    """Enumerate the question families of the rule base and split them; same seed, same corpus."""
    rng = random.Random(seed)
    concepts = sorted(rules.concepts())
    corpus = Corpus(seed=seed)
    train: dict[str, list[Example]] = defaultdict(list)
    heldout: dict[str, list[Example]] = defaultdict(list)

    for operator, relation in UNARY_OPERATORS.items():
        for concept in sorted(rules.relation(relation)):
            train["atomic"].append(_example((operator, concept), rules, "atomic"))
    for concept in sorted(rules.essence):
        train["essence_one"].append(_example((concept,), rules, "essence_one"))
    pairs = sorted(tuple(sorted(pair)) for pair in rules.mixture)
    for first, second in pairs:
        for question in ((MIXTURE, first, second), (MIXTURE, second, first)):
            train["mixture"].append(_example(question, rules, "mixture"))

    composite: dict[str, list[Scene]] = defaultdict(list)
    for length in (2, 3):
        composite["chain"].extend(_chains(rules, concepts, length))
    unfinished: list[Scene] = []
    for first, second in pairs:
        for a, b in ((first, second), (second, first)):
            mixed = rules.mix(a, b)
            if mixed is None or len(mixed) != 1:
                continue
            for operator in UNARY_OPERATORS:
                composite["mixture_chain"].append((operator, MIXTURE, a, b))
            for third in concepts:
                if third in (a, b):
                    continue
                if rules.mix(mixed[0], third) is not None:
                    composite["mixture3"].append((MIXTURE, a, b, third))
                else:
                    unfinished.append((MIXTURE, a, b, third))
    # A few mixtures whose second step has no fact: the path ends in silence.
    composite["mixture3"] += rng.sample(unfinished, min(len(unfinished), silences))
    contemplated = sorted(rules.essence)
    seen: set[Scene] = set()
    while len(seen) < contemplations:
        size = rng.choice(range(2, MAX_CONTEMPLATED + 1))
        seen.add(tuple(rng.sample(contemplated, size)))
    composite["essence_many"] = sorted(seen)

    for family, questions in composite.items():
        for question in questions:
            target = heldout if _stable_share(seed, question) < heldout_share else train
            target[family].append(_example(question, rules, family))

    # The god must also learn when to stay silent: questions with no fact behind them, and
    # scenes that are no question at all (a lone operator, an operator after its concept…).
    silent: set[Scene] = set()
    symbols = [*sorted(OPERATORS), *concepts]
    attempts = 0
    while len(silent) < silences and attempts < silences * 50:
        attempts += 1
        kind = rng.random()
        if kind < 0.3:
            question: Scene = (rng.choice(list(UNARY_OPERATORS)), rng.choice(concepts))
        elif kind < 0.5:
            question = (MIXTURE, *rng.sample(concepts, 2))
        elif kind < 0.65:
            question = tuple(rng.sample(concepts, rng.choice((1, 2, 3))))
        elif kind < 0.8:
            question = tuple(rng.choice(sorted(OPERATORS)) for _ in range(rng.randint(1, 3)))
        else:
            question = tuple(rng.choice(symbols) for _ in range(rng.randint(2, 6)))
        if read_question(question, (), rules).answer == SILENT:
            silent.add(question)
    for question in sorted(silent):
        target = heldout if _stable_share(seed, question) < heldout_share else train
        target["silence"].append(_example(question, rules, "silence"))

    corpus.train = dict(train)
    corpus.heldout = dict(heldout)
    return corpus


class DialogueSampler:
    """Draws multi-turn dialogues from one split; each turn sees the previous exchange."""

    def __init__(
        self,
        corpus: Corpus,
        rules: RuleBase,
        split: str = "train",
        seed: int = 0,
        weights: dict[str, float] | None = None,
        then_share: float = 0.3,
    ) -> None:
        self.rules = rules
        self.groups = corpus.train if split == "train" else corpus.heldout
        weights = weights or DEFAULT_WEIGHTS
        self.families = [f for f in weights if self.groups.get(f)]
        self.weights = [weights[f] for f in self.families]
        self.rng = random.Random(seed)
        self.then_share = then_share

    def question(self) -> Example:
        """One question drawn by family weight, without context."""
        family = self.rng.choices(self.families, self.weights)[0]
        return self.rng.choice(self.groups[family])

    def dialogue(self, turns: int) -> list[Example]:
        """A dialogue of ``turns`` exchanges; "and then?" turns continue the previous answer."""
        examples: list[Example] = []
        previous: Exchange | None = None
        for _ in range(turns):
            if previous is not None and self.rng.random() < self.then_share:
                question: Scene = (THEN,)
                reading = read_question(question, (previous,), self.rules)
                example = Example(question, reading.answer, "then", previous)
            else:
                drawn = self.question()
                example = Example(drawn.question, drawn.answer, drawn.construct, previous)
            examples.append(example)
            previous = Exchange(example.question, example.answer)
        return examples

    def examples(self) -> Iterator[Example]:
        """An endless stream of turns from dialogues of one to four exchanges."""
        while True:
            yield from self.dialogue(self.rng.randint(1, 4))

"""Grammar for the voice's training sentences: agreement in Russian and English, word forms."""

from __future__ import annotations

import random

import lemminflect

from core.bridge.morphology import analyzer, fold_yo
from core.language.oracle import Scene
from core.types import Language


def ru_grammatical(
    kind: str, pos: dict[str, list[tuple[str, str]]], rng: random.Random
) -> tuple[str, Scene]:
    """A Russian sentence of ``kind`` with its words agreeing, and its scene ("" if none)."""
    noun_key, noun = rng.choice(pos["NOUN"])
    parse = analyzer().parse(noun)[0]
    number = "plur" if rng.random() < 0.3 else "sing"
    case = rng.choice(("nomn", "nomn", "gent", "accs", "ablt", "loct"))
    form = parse.inflect({number, case}) or parse
    if kind == "adjective" and pos["ADJF"]:
        adj_key, adjective = rng.choice(pos["ADJF"])
        wanted = {number, case} if number == "plur" else {str(parse.tag.gender), case}
        if case == "accs" and parse.tag.animacy:
            wanted.add(str(parse.tag.animacy))
        if "None" in wanted:
            return "", ()
        agreed = analyzer().parse(adjective)[0].inflect(wanted)
        if agreed is None:
            return "", ()
        return f"{agreed.word} {form.word}", (adj_key, noun_key)
    if kind == "genitive":
        other_key, other = rng.choice(pos["NOUN"])
        other_parse = analyzer().parse(other)[0]
        gen = other_parse.inflect({rng.choice(("sing", "plur")), "gent"}) or other_parse
        head = parse.inflect({number, "nomn"}) or parse
        return f"{head.word} {gen.word}", (noun_key, other_key)
    if not pos["INFN"]:
        return "", ()
    verb_key, verb = rng.choice(pos["INFN"])
    subject = parse.inflect({number, "nomn"}) or parse
    gender = "plur" if number == "plur" else str(subject.tag.gender)
    finite = [
        f
        for f in analyzer().parse(verb)[0].lexeme
        if str(f.tag.POS) == "VERB"
        and (
            (str(f.tag.person) == "3per" and str(f.tag.number) == number)
            or (str(f.tag.tense) == "past" and gender in (str(f.tag.gender), str(f.tag.number)))
        )
    ]
    if not finite:
        return "", ()
    text, keys = f"{subject.word} {rng.choice(finite).word}", (noun_key, verb_key)
    if rng.random() < 0.5:
        object_key, obj = rng.choice(pos["NOUN"])
        link, case = rng.choice(((" ", "accs"), (" в ", "loct"), (" из ", "gent"), (" с ", "ablt")))
        obj_parse = analyzer().parse(obj)[0]
        obj_form = obj_parse.inflect({rng.choice(("sing", "plur")), case}) or obj_parse
        text, keys = f"{text}{link}{obj_form.word}", (*keys, object_key)
    if rng.random() < 0.3:
        first, *rest = text.split(" ")
        text = " ".join([*rest, first]) if len(rest) == 1 else text
        keys = (keys[1], keys[0]) if len(keys) == 2 and len(rest) == 1 else keys
    return text, keys


def en_grammatical(
    kind: str, pos: dict[str, list[tuple[str, str]]], rng: random.Random
) -> tuple[str, Scene]:
    """An English sentence of ``kind`` with its words agreeing, and its scene ("" if none)."""
    noun_key, noun = rng.choice(pos["NOUN"])
    plural = rng.random() < 0.3
    forms = lemminflect.getAllInflections(noun, upos="NOUN")
    name = (forms.get("NNS") or (noun,))[0] if plural else noun
    article = rng.choice(("the ", "", "a ")) if not plural else rng.choice(("the ", ""))
    if kind == "adjective" and pos["ADJ"]:
        adj_key, adjective = rng.choice(pos["ADJ"])
        return f"{article}{adjective} {name}", (adj_key, noun_key)
    if kind == "genitive":
        other_key, other = rng.choice(pos["NOUN"])
        return f"{article}{name} of the {other}", (noun_key, other_key)
    if not pos["VERB"]:
        return "", ()
    verb_key, verb = rng.choice(pos["VERB"])
    inflections = lemminflect.getAllInflections(verb, upos="VERB")
    tag = rng.choice(("VBD", "VBP" if plural else "VBZ"))
    finite = (inflections.get(tag) or (verb,))[0]
    text, keys = f"{article}{name} {finite}", (noun_key, verb_key)
    if rng.random() < 0.5:
        object_key, obj = rng.choice(pos["NOUN"])
        link = rng.choice((" the ", " ", " in the ", " from the ", " with "))
        text, keys = f"{text}{link}{obj}", (*keys, object_key)
    return text, keys


def inflections(word: str, language: Language) -> list[str]:
    """Inflected forms of a single word (none for phrases)."""
    if " " in word:
        return []
    if language == "en":
        forms: dict[str, None] = {}
        for values in lemminflect.getAllInflections(word).values():
            forms.update(dict.fromkeys(values))
        if not forms:
            for upos in ("NOUN", "VERB"):
                for values in lemminflect.getAllInflectionsOOV(word, upos).values():
                    forms.update(dict.fromkeys(values))
        return [f.lower() for f in forms]
    parses = analyzer().parse(word)
    chosen = [p for p in parses if fold_yo(p.normal_form) == fold_yo(word)][:1] or parses[:1]
    out: dict[str, None] = {}
    for parse in chosen:
        for form in parse.lexeme[:40]:
            out[fold_yo(form.word)] = None
    return list(out)

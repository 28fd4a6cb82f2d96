"""Regenerate the meaning field's glyph fonts from the system fonts (a developer tool).

Needs the source fonts installed (Debian/Ubuntu: ``apt-get install fonts-noto-core
fonts-symbola``). Every glyph of the lexicon is put in the first source font, in priority
order, whose character map has it; each source is then subset with fontTools to exactly the
code points it was given, renamed (so it never clashes with an installed full font), and
written to ``core/field/fonts/`` with ``fonts.json`` listing them in priority order. The
output is reproducible: the same lexicon and sources give the same bytes.

    python scripts/build_fonts.py            # rebuild
    python scripts/build_fonts.py --check    # only report coverage, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.language.lexicon import DEFAULT_PATH, read_lexicon  # noqa: E402

OUT_DIR = ROOT / "core" / "field" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
SYMBOLA = Path("/usr/share/fonts/truetype/ancient-scripts")


@dataclass(frozen=True, slots=True)
class Source:
    """One system font the subsets are cut from."""

    path: Path
    out: str
    family: str
    licence: str


SOURCES = (
    Source(
        NOTO / "NotoSansSymbols-Regular.ttf",
        "SilentGodNotoSansSymbols-Regular.ttf",
        "SilentGod Noto Sans Symbols",
        "OFL.txt",
    ),
    Source(
        NOTO / "NotoSansSymbols2-Regular.ttf",
        "SilentGodNotoSansSymbols2-Regular.ttf",
        "SilentGod Noto Sans Symbols2",
        "OFL.txt",
    ),
    Source(
        NOTO / "NotoSansMath-Regular.ttf",
        "SilentGodNotoSansMath-Regular.ttf",
        "SilentGod Noto Sans Math",
        "OFL.txt",
    ),
    Source(
        SYMBOLA / "Symbola_hint.ttf",
        "SilentGodSymbola-Regular.ttf",
        "SilentGod Symbola",
        "SYMBOLA-LICENSE.txt",
    ),
)


def assign(glyphs: list[str], cmaps: list[set[int]]) -> tuple[list[list[str]], list[str]]:
    """Each glyph to the first source that has all its code points; and those none has."""
    given: list[list[str]] = [[] for _ in cmaps]
    missing: list[str] = []
    for glyph in glyphs:
        for index, cmap in enumerate(cmaps):
            if all(ord(char) in cmap for char in glyph):
                given[index].append(glyph)
                break
        else:
            missing.append(glyph)
    return given, missing


def _rename(font: TTFont, family: str) -> None:
    """Give the subset its own family name; copyright and licence records stay."""
    postscript = family.replace(" ", "") + "-Regular"
    names = {
        1: family,
        2: "Regular",
        3: f"{postscript};subset",
        4: f"{family} Regular",
        6: postscript,
        16: family,
        17: "Regular",
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.setName(
                names[record.nameID],
                record.nameID,
                record.platformID,
                record.platEncID,
                record.langID,
            )


def build_subset(source: Source, glyphs: list[str], out: Path) -> int:
    """Write the subset of one source with exactly ``glyphs``; its size in bytes."""
    options = subset.Options()
    options.hinting = False  # matplotlib's Agg renderer hints by itself
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.layout_features = []
    options.recalc_timestamp = False
    font = TTFont(str(source.path), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(char) for glyph in glyphs for char in glyph}))
    subsetter.subset(font)
    _rename(font, source.family)
    font.save(str(out))
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--check", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)

    lexicon = read_lexicon(args.lexicon)
    glyphs = [entry.glyph for entry in lexicon]
    absent = [s.path for s in SOURCES if not s.path.is_file()]
    if absent:
        print(
            "missing source fonts: "
            + ", ".join(map(str, absent))
            + "\ninstall them with: apt-get install fonts-noto-core fonts-symbola",
            file=sys.stderr,
        )
        return 2
    cmaps = [set(TTFont(str(s.path), lazy=True).getBestCmap()) for s in SOURCES]
    given, missing = assign(glyphs, cmaps)
    for source, share in zip(SOURCES, given, strict=True):
        print(f"{source.path.name:<32} {len(share):>4} glyphs")
    if missing:
        print("no source font has: " + " ".join(missing), file=sys.stderr)
        return 1
    if args.check:
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, object]] = []
    for source, share in zip(SOURCES, given, strict=True):
        out = args.out / source.out
        if not share:
            out.unlink(missing_ok=True)
            continue
        size = build_subset(source, share, out)
        print(
            f"  wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
            f"({size / 1024:.1f} KiB)"
        )
        manifest.append(
            {
                "file": source.out,
                "family": source.family,
                "source": source.path.name,
                "licence": source.licence,
                "glyphs": len(share),
            }
        )
    document = {"generated_by": "scripts/build_fonts.py", "fonts": manifest}
    (args.out / "fonts.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

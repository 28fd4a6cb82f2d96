"""The glyph fonts that ship with the package draw every glyph of the lexicon: no tofu."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

from fontTools.ttLib import TTFont

from core.field import fonts
from core.language.lexicon import Lexicon

ROOT = Path(__file__).resolve().parents[2]


def _manifest() -> list[dict[str, object]]:
    return json.loads(fonts.MANIFEST.read_text("utf-8"))["fonts"]


def test_every_lexicon_glyph_is_in_a_shipped_font_cmap(lexicon: Lexicon) -> None:
    cmaps = [set(TTFont(fonts.FONT_DIR / f["file"]).getBestCmap()) for f in _manifest()]
    absent = [e.glyph for e in lexicon if not any(ord(e.glyph) in cmap for cmap in cmaps)]
    assert absent == [], f"glyphs no shipped font can draw: {' '.join(absent)}"
    assert fonts.missing(e.glyph for e in lexicon) == []


def test_each_glyph_lives_in_one_font_and_the_subsets_are_small(lexicon: Lexicon) -> None:
    shipped = fonts.shipped_fonts()
    assert [f.family for f in shipped] == [f["family"] for f in _manifest()]
    glyphs = {ord(e.glyph) for e in lexicon}
    for font in shipped:
        assert font.path.stat().st_size < 100_000, font.path.name
        assert font.codepoints & glyphs, f"{font.path.name} draws no glyph of the lexicon"
    owners = [sum(font.has(e.glyph) for font in shipped) for e in lexicon]
    assert set(owners) == {1}  # subset to exactly the glyphs each font is first to have


def test_fonts_are_registered_with_matplotlib_and_need_no_system_font() -> None:
    from matplotlib import font_manager

    shipped = fonts.shipped_fonts()
    for font in shipped:
        found = font_manager.findfont(font.family, fallback_to_default=False)
        assert Path(found) == font.path
    assert fonts.families()[-1] == fonts.WORD_FAMILY


def test_fonts_and_licences_are_package_data() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["*"]
    licences = {f["licence"] for f in _manifest()}
    assert licences == {"OFL.txt", "SYMBOLA-LICENSE.txt"}
    names = [*(f["file"] for f in _manifest()), *licences, fonts.MANIFEST.name]
    for name in names:
        assert (fonts.FONT_DIR / name).is_file(), name
        assert any(fnmatch.fnmatch(name, p) for p in patterns), f"{name} is not package data"
    ofl = (fonts.FONT_DIR / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE" in ofl and "Google" in ofl
    assert "George Douros" in (fonts.FONT_DIR / "SYMBOLA-LICENSE.txt").read_text("utf-8")

"""The drawing runs in a worker process of its own: it must start without torch or the model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.field import picture, render


def test_render_imports_neither_torch_nor_the_model() -> None:
    probe = (
        "import sys, core.field.render; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers') "
        "or m.startswith('core.model')]; "
        "print(','.join(sorted(heavy)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == ""


def test_picture_still_offers_render_field() -> None:
    assert picture.render_field is render.render_field

"""The meaning field: a picture of what the god read, attended to and answered.

``attention`` reads the numbers from the god's own forward pass (``FieldData`` in ``data``);
``render`` draws them (bands in ``attention_band`` and ``space_band``, on the ``canvas``, in
the look of ``style``) with the glyph fonts of ``fonts`` (shipped subsets, no system font);
``picture.meaning_field`` does both. ``render`` and what it imports never load torch or the
model, so a drawing worker process starts fast. This package imports nothing heavy: torch
and matplotlib load only when the numbers are read or a picture is drawn.
"""

"""The meaning field: a picture of what the god read, attended to and answered.

``attention`` reads the numbers from the god's own forward pass (``FieldData`` in ``data``),
``picture`` draws them with the glyph fonts of ``fonts`` (shipped subsets, no system font),
and ``GodService.field`` runs both in the model's thread. This package imports nothing heavy:
torch and matplotlib load only when a picture is drawn.
"""

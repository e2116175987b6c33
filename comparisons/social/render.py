"""Draws a `Card` as a 1200x630 PNG with Pillow.

The font is Pillow's bundled one (`ImageFont.load_default(size=...)`, Aileron Regular, FreeType built into
Pillow's wheels), so no system font is needed on any machine. Text that does not fit is shortened with an
ellipsis, so a card's cost is bounded whatever the names: one canvas, a fixed number of text runs, and a
16-colour palette PNG (a few KB, tens of milliseconds).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from .card import HEIGHT, WIDTH, Card, Column, Figure

MARGIN = 60
GAP = 28
BAND = 84
INK = "#14213d"
MUTED = "#5b6475"
ACCENT = "#0b5cad"
PAPER = "#ffffff"
PANEL = "#e6edf7"
RULE = "#c9d4e5"
BAND_INK = "#ffffff"
ELLIPSIS = "\u2026"
PALETTE_COLOURS = 16


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def fit(text: str, font, width: float) -> str:
    """`text`, or its longest prefix + an ellipsis that fits in `width` pixels."""
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def _fitting_font(text: str, width: float, sizes: tuple[int, ...]):
    """The largest of `sizes` at which `text` fits, else the smallest."""
    for size in sizes:
        font = _font(size)
        if font.getlength(text) <= width:
            return font
    return _font(sizes[-1])


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font, fill: str, *, bold: bool = False):
    # One weight ships with Pillow; a thin stroke of the same colour stands in for bold.
    draw.text(xy, text, font=font, fill=fill, stroke_width=1 if bold else 0, stroke_fill=fill)


def _figure(draw, x: float, y: float, width: float, figure: Figure, value_size: int) -> None:
    _text(draw, (x, y), fit(figure.label, _font(24), width), _font(24), MUTED)
    value_font = _fitting_font(figure.value, width, (value_size, value_size - 6, value_size - 12, 24))
    colour = MUTED if figure.missing else INK
    _text(draw, (x, y + 32), fit(figure.value, value_font, width), value_font, colour, bold=not figure.missing)


def _single(draw, card: Card, column: Column, top: float) -> None:
    """One model: its name large, then its figures side by side in panels."""
    inner = WIDTH - 2 * MARGIN
    title_font = _fitting_font(card.title, inner, (76, 64, 56, 48, 40))
    _text(draw, (MARGIN, top), fit(card.title, title_font, inner), title_font, INK, bold=True)
    subheading = " · ".join(part for part in (column.subheading, column.note) if part)
    _text(draw, (MARGIN, top + 96), fit(subheading, _font(30), inner), _font(30), MUTED)
    count = max(len(column.figures), 1)
    panel_width = (inner - GAP * (count - 1)) / count
    panel_top = top + 170
    for i, figure in enumerate(column.figures):
        x = MARGIN + i * (panel_width + GAP)
        draw.rounded_rectangle((x, panel_top, x + panel_width, panel_top + 150), radius=14, fill=PANEL, outline=RULE)
        _figure(draw, x + 24, panel_top + 26, panel_width - 48, figure, 48)


def _columns(draw, card: Card, top: float) -> None:
    """Two to four models: the title, then one panel per model with its figures stacked."""
    inner = WIDTH - 2 * MARGIN
    title_font = _fitting_font(card.title, inner, (60, 52, 44, 38, 32))
    _text(draw, (MARGIN, top), fit(card.title, title_font, inner), title_font, INK, bold=True)
    count = len(card.columns)
    width = (inner - GAP * (count - 1)) / count
    panel_top = top + 84
    panel_bottom = HEIGHT - 70
    value_size = 40 if count == 2 else 32
    text_width = width - 40
    # One heading size for every column (the largest at which the longest name fits), so they line up.
    heading_font = min(
        (_fitting_font(column.heading, text_width, (34, 30, 26)) for column in card.columns), key=lambda f: f.size
    )
    for i, column in enumerate(card.columns):
        x = MARGIN + i * (width + GAP)
        draw.rounded_rectangle((x, panel_top, x + width, panel_bottom), radius=14, fill=PANEL, outline=RULE)
        _text(
            draw,
            (x + 20, panel_top + 18),
            fit(column.heading, heading_font, text_width),
            heading_font,
            ACCENT,
            bold=True,
        )
        # Two columns have room for where the prices come from; three or four show the maker only.
        subheading = " · ".join(p for p in (column.subheading, column.note) if p) if count == 2 else column.subheading
        _text(draw, (x + 20, panel_top + 62), fit(subheading, _font(22), text_width), _font(22), MUTED)
        for j, figure in enumerate(column.figures):
            _figure(draw, x + 20, panel_top + 104 + j * 88, text_width, figure, value_size)


def render_png(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, BAND), fill=INK)
    _text(draw, (MARGIN, 22), "LLM Reference", _font(36), BAND_INK, bold=True)
    kicker_font = _font(28)
    _text(draw, (WIDTH - MARGIN - kicker_font.getlength(card.kicker), 28), card.kicker, kicker_font, BAND_INK)
    top = BAND + 36
    if len(card.columns) == 1:
        _single(draw, card, card.columns[0], top)
    else:
        _columns(draw, card, top)
    footnote_font = _font(22)
    _text(draw, (MARGIN, HEIGHT - 48), fit(card.footnote, footnote_font, WIDTH - 2 * MARGIN), footnote_font, MUTED)
    # A small palette keeps the antialiased text and makes the file a few KB.
    palette = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, format="PNG")
    return out.getvalue()

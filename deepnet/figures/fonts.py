"""Hangul and Han glyphs for the words of figures, on every machine and on Colab.

matplotlib's own font (DejaVu Sans) has no Korean or Chinese glyphs: a Korean title would print
one "Glyph ... missing" warning per character and draw boxes. The package therefore ships a
small open font, a subset of Noto Sans CJK SC (SIL Open Font License, fonts/OFL.txt) holding the
2,350 common Hangul syllables of KS X 1001 and every character of the translated messages.
use_cjk_fallback() registers it and adds it after the default family, so Latin text keeps its
usual look and matplotlib falls back to it only for the glyphs DejaVu Sans lacks (matplotlib ≥ 3.6).

`deepnet translate build` rebuilds the subset from the system's Noto Sans CJK when the messages
need a new character; `deepnet translate check` fails when one is missing from it.
"""
import logging
from pathlib import Path

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansCJK-deepnet.otf"
FAMILY = "Noto Sans CJK SC"


def default_font_file():
    """matplotlib's own DejaVu Sans, which draws every Latin, Greek and math character we use."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


class OneWeightOnly(logging.Filter):
    """The bundled font has one weight. For bold text matplotlib logs "Failed to find font weight
    bold for Noto Sans CJK SC, now using 400" (bold Latin still comes from DejaVu Sans Bold, and
    Hangul is drawn in the regular weight): expected, so it is not shown to learners."""

    def filter(self, record):
        return not (FAMILY in record.getMessage() and "Failed to find font weight" in record.getMessage())


def use_cjk_fallback():
    """Register the bundled font and make it the fallback of matplotlib's default font family."""
    from matplotlib import font_manager, rcParams

    logger = logging.getLogger("matplotlib.font_manager")
    if not any(isinstance(existing, OneWeightOnly) for existing in logger.filters):
        logger.addFilter(OneWeightOnly())

    if FONT_FILE.exists() and FAMILY not in {font.name for font in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(FONT_FILE))
    families = list(rcParams["font.family"])
    if FAMILY not in families:
        rcParams["font.family"] = [*families, FAMILY]


def covered_characters(path=FONT_FILE):
    """The set of characters the font at path has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return {chr(code) for code in font.getBestCmap()}

"""Hits and records -> text / JSON Lines / CSV / BibTeX / RIS; terminal sanitising.

CONTRACT (owner: query).
"""

from __future__ import annotations

import re

# Escape sequences first (so their parameter bytes go with them), then lone controls.
# OSC/DCS/SOS/PM/APC strings run to BEL or ST (ESC \ or 0x9C); an unterminated one runs to the end.
_ESCAPES = re.compile(
    r"""
      (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)   # OSC, DCS, SOS, PM, APC
    | (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?              # CSI ... final byte
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                      # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except tab and newline, DEL, C1, and the bidi embedding/override/isolate controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_AND_LINES = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize_terminal(text: str, *, keep_newlines: bool = True) -> str:
    """Return `text` safe to print: ANSI escapes, C0/C1 controls and bidi overrides removed.

    Tabs and newlines stay unless `keep_newlines` is False (then each becomes a space, for
    one-line fields such as titles). ZWNJ (U+200C), ZWJ and the LRM/RLM marks stay: Persian
    words need them and they cannot reorder or hide text.
    """
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    if keep_newlines:
        return _CONTROLS.sub("", text)
    return _CONTROLS_AND_LINES.sub(_space_for_line_break, text)


def _space_for_line_break(match: re.Match[str]) -> str:
    return " " if match.group() in "\t\n\r\x0b\x0c" else ""

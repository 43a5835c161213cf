"""Hits and records -> text / JSON Lines / CSV / BibTeX / RIS; terminal sanitising.

CONTRACT (owner: query).
"""

from __future__ import annotations

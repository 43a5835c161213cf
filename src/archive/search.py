"""Query string + filters -> whoosh query -> Hits.

CONTRACT (owner: query).
"""

from __future__ import annotations

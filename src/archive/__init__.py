"""archive: a bilingual (English + Persian) article archive and search engine."""

from archive.errors import ArchiveError
from archive.models import Article, Hit, IngestReport, Outcome, RawPage

__version__ = "0.1.0"

__all__ = ["ArchiveError", "Article", "Hit", "IngestReport", "Outcome", "RawPage", "__version__"]

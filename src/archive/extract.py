"""RawPage -> Article: title, authors, date, lang, body, url (bs4 + lxml).

CONTRACT (owner: extraction). Safe to call in worker processes; never prints.
"""

from __future__ import annotations

from archive.models import Article, RawPage


def extract_article(page: RawPage) -> Article:
    """Extract the article of one page.

    Raises:
        ExtractionError (EmptyInputError, NotHTMLError, NoArticleError): one-line reason.
    """
    raise NotImplementedError

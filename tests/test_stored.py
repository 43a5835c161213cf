"""stored: the date encoding and the Article/fields/Hit mappings of the index."""

from __future__ import annotations

import datetime as dt

from archive import stored
from archive.models import Article
from archive.stored import date_to_int, int_to_date


def test_date_ints() -> None:
    assert date_to_int(None) == 0
    assert date_to_int(dt.date(2025, 1, 20)) == 20250120
    assert int_to_date(20250120) == dt.date(2025, 1, 20)
    assert int_to_date(0) is None
    assert int_to_date(None) is None
    assert int_to_date(20251345) is None


def test_article_without_optional_fields_round_trips():
    article = Article(id="x", title="", body="b", lang="fa", source="s")
    fields = stored.article_to_fields(article)
    assert fields["date"] == 0 and fields["site"] is None and fields["tags"] is None
    kept = {k: v for k, v in fields.items() if v is not None}
    assert stored.fields_to_article(kept) == article


def test_stored_fields_give_the_article_and_the_hit() -> None:
    article = Article(
        id="x1", title="Talks", body="Body.", lang="en", source="raw/x1.html",
        url="https://www.Example.com/a", authors=["Ali Rezaei", "Sara Karimi"],
        date=dt.date(2024, 3, 5), date_jalali="1402-12-15", tags=["a,b", "c"],
    )  # fmt: skip
    fields = stored.article_to_fields(article)
    assert fields["site"] == "example.com" and fields["date"] == 20240305
    assert fields["author"] == "Ali Rezaei\nSara Karimi" and fields["tags"] == "a b,c"
    back = stored.fields_to_article(fields)
    assert back.date == article.date and back.authors == article.authors
    assert back.site == "example.com" and back.tags == ["a b", "c"]
    hit = stored.hit_from_stored(fields, rank=3, score=1.234567)
    assert (hit.rank, hit.id, hit.score, hit.date) == (3, "x1", 1.2346, dt.date(2024, 3, 5))
    assert hit.authors == article.authors and hit.site == "example.com"
    one_string = dict(fields, authors="Ali Rezaei\nSara Karimi\n")
    assert stored.hit_from_stored(one_string, rank=1, score=None).authors == article.authors
    assert stored.fields_to_article(one_string).authors == article.authors


def test_feedback_terms_round_trip_and_junk_is_refused() -> None:
    counts = stored.feedback_counts("گزارش نفت", "", "نفت و گاز ایران. Oil exports")
    assert counts["نفت"] == 2 and sum(counts.values()) >= 5
    value = stored.encode_feedback_terms(counts)
    assert stored.decode_feedback_terms(value) == counts
    for junk in (None, 3, "نفت", "نفت two", b"x 1"):
        assert stored.decode_feedback_terms(junk) is None
    # an article without the field (an older index) is counted from its stored text
    text = {"title": "گزارش نفت", "summary": "", "body": "نفت و گاز ایران. Oil exports"}
    assert stored.stored_feedback_counts(text) == counts
    assert stored.stored_feedback_counts({**text, stored.FEEDBACK_FIELD: value}) == counts


def test_feedback_terms_read_the_body_up_to_the_cut() -> None:
    filler = "x" * (stored.FEEDBACK_CHARS - 10)
    # "centrifuges" ends past the cut: it is not counted, and neither is a fragment of it
    counts = stored.feedback_counts("", "", f"{filler} uranium centrifuges")
    assert counts == stored.feedback_counts("", "", f"{filler} uranium")
    assert not any(term.startswith("centri") for term in counts)
    longer = stored.feedback_counts("", "", f"{filler} uranium centrifuges", chars=10**9)
    assert sum(longer.values()) == sum(counts.values()) + 1

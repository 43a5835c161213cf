"""archive.names: one person's Persian-script name and romanisations meet; near misses do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import names

SAME = [
    ("Behzad Khakpoor", "بهزاد خاکپور"),
    ("Behzad Khakpour", "بهزاد خاکپور"),
    ("Behzad Khakpur", "Behzad Khakpoor"),
    ("Mohammad Hosseini", "محمد حسینی"),
    ("Muhammad Husseini", "Mohammed Hoseini"),
    ("Ali Hassanzadeh", "علی حسن‌زاده"),  # -zadeh, ZWNJ
    ("Ali Hasanzade", "علی حسن زاده"),  # -zade, written apart
    ("Abdolreza Rahmani", "عبدالرضا رحمانی"),
    ("Abdul-Reza Rahmani", "Abdolreza Rahmani"),  # Abdol- / Abdul-, hyphen
    ("Mas'ud Barzani", "مسعود بارزانی"),  # apostrophe for ʿayn
    ("Masʿud Barzani", "Masoud Barzani"),  # ʿ mark
    ("Ali Khamenei", "علي خامنه‌اي"),  # Arabic ي, ZWNJ
    ("Seyed Ali Khamenei", "سید علی خامنه ای"),  # title, detached suffix
    ("Ali Akbar Velayati", "علی‌اکبر ولایتی"),
    ("Aliakbar Velayati", "علی اکبر ولایتی"),  # compound given name glued / apart
    ("Mohammad Baqer Qalibaf", "محمدباقر قالیباف"),
    ("Mohammad Bagher Ghalibaf", "Mohammad Baqer Qalibaf"),
    ("Mostafa Tavakoli", "مصطفی توکلی"),  # alef maqsura, override table
    ("Ruhollah Khomeini", "روح‌الله خمینی"),
    ("Davood Tabatabaei", "داوود طباطبایی"),
    ("Jalal Al-e Ahmad", "جلال آل احمد"),  # ezafe
    ("Seyed Shahaboddin Sadr", "سید شهاب‌الدین صدر"),  # assimilated article
    ("Dr. Kaveh Madani", "كاوه مدني"),  # title; Arabic ك and ي
    ("Foad Izadi", "فؤاد ایزدی"),
]

DIFFERENT = [
    ("Mohammad Hosseini", "محمود حسینی"),
    ("Mohammad Hosseini", "Mahmoud Hosseini"),
    ("Mohammadi", "Mahmoudi"),
    ("Ahmad Rezaei", "حامد رضایی"),  # Ahmad is not Hamed: the start marker
    ("Hassan Rouhani", "حسین روحانی"),
    ("Hosseini", "Hassani"),
    ("Ali Salehi", "علی صلاحی"),
    ("Ali Karimi", "علی کرمی"),
    ("Hamid Naseri", "حمید نصیری"),
    ("Abbas Mousavi", "عباس موسویان"),
    ("Ali Larijani", "صادق لاریجانی"),
    ("Reza Najafi", "علیرضا نجفی"),
    ("Behzad Khakpoor", "بهزاد خاکپوری"),
    ("Kamal Kharrazi", "جمال خرازی"),
    # a letter that ends one word and starts the next is two letters, not one doubled
    ("Shirin Nazari", "Shirin Zarei"),
    ("شیرین نظری", "شیرین زارعی"),
    ("Shirin Nazari", "شیرین زارعی"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_person_matches_in_both_directions(a: str, b: str) -> None:
    assert names.names_match(a, b)
    assert names.names_match(b, a)


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_person_shares_an_index_key(a: str, b: str) -> None:
    assert set(names.name_keys(a)) & set(names.query_keys(b))
    assert set(names.name_keys(b)) & set(names.query_keys(a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_near_misses_do_not_match(a: str, b: str) -> None:
    assert not names.names_match(a, b)
    assert not names.names_match(b, a)


def test_surname_alone_matches_full_name_in_either_script() -> None:
    assert names.names_match("khakpoor", "بهزاد خاکپور")
    assert names.names_match("خاکپور", "Behzad Khakpour")
    assert set(names.query_keys("khakpoor")) & set(names.name_keys("بهزاد خاکپور"))
    assert not names.names_match("khakpoor", "Behzad Pakpour")


def test_given_name_must_agree_when_both_are_given() -> None:
    assert not names.names_match("Behrouz Khakpoor", "بهزاد خاکپور")


def test_titles_are_dropped_but_never_the_whole_name() -> None:
    assert names.tokenize_name("Dr. Seyed Abbas Araghchi") == ["abbas", "araghchi"]
    assert names.tokenize_name("حجت‌الاسلام سید حسن خمینی") == ["حسن", "خمینی"]
    assert names.tokenize_name("Haj") == ["haj"]  # a title alone is a name


def test_compound_given_names_split_only_before_a_vowel_initial_part() -> None:
    assert names.tokenize_name("Aliakbar Velayati") == ["ali", "akbar", "velayati"]
    assert names.tokenize_name("Mohammadi") == ["mohammadi"]
    assert names.tokenize_name("محمدعلی جعفری") == ["محمد", "علی", "جعفری"]


def test_group_names_merges_one_persons_spellings_only() -> None:
    groups = names.group_names(
        ["Behzad Khakpoor", "بهزاد خاکپور", "Behzad Khakpour", "Behrouz Khakpoor", "علی رضایی"]
    )
    assert sorted(map(sorted, groups)) == sorted(
        [
            sorted(["Behzad Khakpoor", "بهزاد خاکپور", "Behzad Khakpour"]),
            ["Behrouz Khakpoor"],
            ["علی رضایی"],
        ]
    )


def test_empty_and_junk_names_match_nothing() -> None:
    assert names.name_keys("") == []
    assert not names.names_match("", "")
    assert not names.names_match("---", "Ali")


_latin = st.text(alphabet="abdeghijklmnorstuvyz -'", min_size=1, max_size=30)
_persian = st.text(alphabet="ابپتجچحخدرزژسشصطعغفقکگلمنوهیآ‌ ", min_size=1, max_size=30)


@given(st.one_of(_latin, _persian))
def test_a_name_matches_itself_and_shares_its_keys(name: str) -> None:
    if names.parse_name(name).tokens and names.name_keys(name):
        assert names.names_match(name, name)
        assert set(names.name_keys(name)) & set(names.query_keys(name))


@given(_latin, _persian)
def test_matching_is_symmetric(a: str, b: str) -> None:
    assert names.names_match(a, b) == names.names_match(b, a)

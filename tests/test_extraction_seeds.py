"""The five seeds against a golden file, and every kind of page junk the issue lists, gone.

tests/fixtures/extraction/seeds_expected.json holds, per seed, the metadata and
where each piece came from, asserted as a whole dict: a change anywhere shows
in one diff. When an improvement changes it on purpose, regenerate it and read
the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.clean.lines import fold_key
from indexer.clean.text import clean_text
from indexer.pipeline import process_file

from .helpers import SEED_TITLES, seed_path

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "extraction" / "seeds_expected.json").read_text(encoding="utf-8"))

# Each kind of junk named in the issue, with the seed that carries it.
JUNK_KINDS = {
    "title line repeated as body": ("003", "Will Seoul’s Ties With Moscow Really Recover on Their Own?"),
    "share-button lines": ("001", "share button"),
    "Kakao share button": ("001", "Kakao share button"),
    "font-size control": ("001", "ⓕ font-size"),
    "font-size steps": ("001", "• +2"),
    "Settings": ("001", "Settings"),
    "Advertisement": ("004", "Advertisement"),
    "Get more with myNEWS": ("004", "Get more with myNEWS"),
    "Why you can trust SCMP": ("004", "Why you can trust SCMP"),
    "Top 10 Stories": ("001", "Top 10 Stories"),
    "go top LETTER": ("001", "go top LETTER"),
    "CLOSE": ("001", "CLOSE"),
    "video timestamp": ("004", "03:34"),
    "related-headline interjection": ("004", "Cheap, fast, good: South Korean weapons in high demand"),
    "Related Articles": ("003", "Related Articles"),
    "Image credit line": ("003", "Image: iStock/Oleksii Liskonih"),
    "Telegram promo footer": ("000", "stay tuned to our Telegram channel"),
    "Thanks for reading promo": ("002", "Thanks for reading"),
    "author bio after the sign-off": ("002", "He didn't care what he had"),
    "sign-off with e-mail": ("001", "namhw@koreatimes.co.kr"),
    "section label": ("004", "This Week in AsiaPolitics"),
}

CAPTIONS = {
    "001": ["Russian President Vladimir Putin attends a ceremony to receive credentials",
            "155-millimeter artillery shells are packed for shipping"],
    "004": ["makes a toast with US Secretary of State Antony Blinken", "shakes hands with Japan’s Prime Minister"],
}


@pytest.fixture(scope="module")
def seeds() -> dict:
    return {number: process_file(seed_path(number)) for number in SEED_TITLES}


def summary(article) -> dict:
    """The golden-file view of an article: its metadata, sources, and first and last paragraph."""
    record = article.to_dict()
    keys = ("title", "subtitle", "author", "outlet", "published", "date_precision", "date_source", "provenance")
    return {**{key: record[key] for key in keys},
            "first_paragraph_starts": article.paragraphs[0][:60],
            "last_paragraph_starts": article.paragraphs[-1][:60]}


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_seed_matches_its_golden_record(seeds, number):
    assert summary(seeds[number]) == EXPECTED[number]


@pytest.mark.parametrize("kind", sorted(JUNK_KINDS))
def test_each_kind_of_page_junk_is_out_of_the_body(seeds, kind):
    number, junk = JUNK_KINDS[kind]
    article = seeds[number]
    assert junk not in article.body
    assert all(fold_key(p) != fold_key(junk) for p in article.paragraphs)


@pytest.mark.parametrize("number", sorted(CAPTIONS))
def test_captions_shown_twice_appear_nowhere_in_the_article(seeds, number):
    article = seeds[number]
    text = "\n".join([article.title, article.subtitle or "", article.body])
    assert [c for c in CAPTIONS[number] if c in text] == []


@pytest.mark.parametrize("number", sorted(SEED_TITLES))
def test_no_caption_or_paragraph_is_kept_twice(seeds, number):
    keys = [fold_key(p) for p in seeds[number].paragraphs]
    assert len(keys) == len(set(keys))


def test_captions_are_kept_aside_once_each():
    doc = clean_text(seed_path("001").read_text(encoding="utf-8"))
    assert len(doc.captions) == 2
    assert all("Yonhap" in caption for caption in doc.captions)


def test_every_seed_paragraph_is_running_text_of_the_article(seeds):
    # The first and last real paragraphs are in the golden file; nothing before or after them.
    for number, article in seeds.items():
        assert article.paragraphs[0].startswith(EXPECTED[number]["first_paragraph_starts"])
        assert article.paragraphs[-1].startswith(EXPECTED[number]["last_paragraph_starts"])


def test_scmp_bullets_are_one_standfirst_not_body(seeds):
    article = seeds["004"]
    assert article.subtitle.count(";") == 1
    assert "Seoul does not supply weapons" not in article.body


# -- negative cases: what is not the author, not the outlet, not the date -------------------

RELATED_BOX_WITH_BYLINE = """Seoul weighs arms exports after Moscow treaty
By Kim Min-ji

Seoul is reviewing its policy on arms exports after Russia and North Korea signed a mutual defence treaty last week, officials said on Monday, adding that no decision had been taken yet.

The presidential office said it would consult allies before any change, and that the review would take weeks rather than days, given the legal questions involved in the Foreign Trade Act.

Related Articles
By Park Soo-hyun
North Korea fires ballistic missiles into the East Sea

Analysts said the review was a signal to Moscow rather than a decision, and that Seoul would prefer to keep its options open for as long as the war in Ukraine continues.
"""


def test_byline_inside_a_related_story_box_is_not_the_author(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(RELATED_BOX_WITH_BYLINE, encoding="utf-8")
    article = process_file(path)
    assert article.author == "Kim Min-ji"
    assert "Park Soo-hyun" not in article.body
    assert "North Korea fires ballistic missiles" not in article.body
    assert article.paragraphs[-1].startswith("Analysts said the review was a signal")


def test_related_box_byline_is_not_an_author_when_the_article_has_none(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(RELATED_BOX_WITH_BYLINE.replace("By Kim Min-ji\n", ""), encoding="utf-8")
    assert process_file(path).author is None


def test_outlet_named_in_a_body_sentence_is_not_the_outlet(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "Seoul weighs arms exports\n\n"
        "The Washington Post reported on Monday that Seoul had become a larger supplier of artillery "
        "ammunition for Ukraine than all European nations combined, citing officials.\n\n"
        "Officials in Seoul declined to comment on the report, saying that the government's policy had not changed.\n",
        encoding="utf-8")
    assert process_file(path).outlet == "unknown"


def test_date_in_the_body_is_an_event_not_the_publication(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "Seoul weighs arms exports\n\n"
        "On March 3, 2021, the two governments signed an agreement on the supply of artillery shells, "
        "which the new administration has since reviewed twice, officials said.\n",
        encoding="utf-8")
    assert process_file(path).published is None

"""The pipeline on the five seed dumps: metadata, clean bodies, actors."""

from __future__ import annotations

import json

import pytest

from indexer.article import Actor
from indexer.clean.lines import fold_key
from indexer.extract.actors import extract_actors, load_knowledge_base
from indexer.pipeline import PipelineOptions, process_file

from .helpers import SEED_TITLES, seed_path

EXPECTED_META = {
    # number: (outlet, author, published label, precision)
    "000": ("unknown", None, None, None),
    "001": ("The Korea Times", "Nam Hyun-woo", None, None),
    "002": ("Medium", "Shankar Narayan", "2024-06-23", "day"),
    "003": ("The Hankyoreh", None, None, None),
    "004": ("South China Morning Post", "Park Chan-kyong", "2023-11-07", "day"),
}

# Page chrome, promotions, bios, sign-offs and related links each dump carries.
JUNK = {
    "000": ["stay tuned to our Telegram channel", "Due to censorship and blocking of all media"],
    "001": ["share button", "Facebook share", "ⓕ font-size", "font-size", "• +2", "Settings", "CLOSE",
            "Top 10 Stories", "go top LETTER", "namhw@koreatimes.co.kr", "Nam Hyun-woo namhw"],
    "002": ["Thanks for reading", "210 stories free to the public", "He didn't care what he had",
            "6 min read"],
    "003": ["Image: iStock", "iStock/Oleksii Liskonih", "Related Articles", "Member Activities", "HANKYOREH"],
    "004": ["Advertisement", "Get more with myNEWS", "A personalised news feed", "Learn more",
            "Why you can trust SCMP", "03:34", "This Week in Asia", "date 2023-11-07"],
}

# Photo captions: never body text, not even once.
CAPTIONS = {
    "001": ["AP-Yonhap", "Reuters-Yonhap", "Alexander Hall of the Grand Kremlin Palace",
            "Scranton Army Ammunition Plant", "Dec. 4 (local time)"],
    "004": ["Photo: dpa", "Photo: AP", "state luncheon at the US State Department", "Camp David",
            "Fumio Kishida"],
}

# Related-story headlines between paragraphs.
RELATED = {
    "004": ["Cheap, fast, good: South Korean weapons in high demand", "Ongoing wars offer South Korea chance",
            "Kim pledges support to Putin over ‘sacred’ war with the West"],
}

FIRST_AND_LAST = {
    "000": ("South Korea is being drawn into the collective West’s confrontation with Russia.",
            "Seoul’s arming of Zelensky’s army is not capable of turning the tide"),
    "001": ("Relations between South Korea and Russia are expected to get stuck in limbo",
            '"Seoul and Moscow both know that South Korea will not loosen its ties'),
    "002": ("Struggling to supply ammunition to his ill-prepared army, Vladimir Putin",
            "By turning Russia into a vassal for China, Putin has turned off the money spigot"),
    "004": ("The raging conflicts in Ukraine", "“If the two countries forge supply chains"),
}


@pytest.mark.parametrize("number", sorted(SEED_TITLES))
def test_seed_title_is_the_headline(seed_articles, number):
    assert seed_articles[number].title == SEED_TITLES[number]


@pytest.mark.parametrize("number", sorted(EXPECTED_META))
def test_seed_outlet_author_and_date(seed_articles, number):
    article = seed_articles[number]
    outlet, author, label, precision = EXPECTED_META[number]
    published = article.published.label if article.published else None
    assert (article.outlet, article.author, published, article.date_precision) == (outlet, author, label, precision)


def test_korea_times_caption_date_without_year_gives_no_date(seed_articles):
    # "Dec. 4 (local time)" in a caption has no year: it must not be completed with some year.
    article = seed_articles["001"]
    assert article.published is None
    assert "published" not in article.provenance
    assert article.to_dict()["published"] is None and article.to_dict()["date_source"] is None


def test_medium_date_comes_from_the_read_time_byline(seed_articles):
    published = seed_articles["002"].published
    assert (published.label, published.precision, published.source) == ("2024-06-23", "day", "byline")


def test_scmp_outlet_and_date_come_from_the_header_line(seed_articles):
    article = seed_articles["004"]
    assert article.published.source == "header"
    assert article.provenance["outlet"] == "text"


def test_unknown_outlet_is_not_guessed(seed_articles):
    article = seed_articles["000"]
    assert article.outlet == "unknown"
    assert article.provenance["outlet"] == "none"


@pytest.mark.parametrize("number", sorted(JUNK))
def test_page_chrome_and_promotions_removed_from_body(seed_articles, number):
    body = seed_articles[number].body
    left = [junk for junk in JUNK[number] if junk in body]
    assert left == []


def test_share_buttons_removed_from_korea_times_dump(seed_articles):
    article = seed_articles["001"]
    for paragraph in article.paragraphs:
        assert "share button" not in paragraph
        assert paragraph not in ("-2", "-1", "0", "+1", "+2", "X")
    assert "share button" not in (article.subtitle or "")


def test_medium_author_bio_after_signoff_removed(seed_articles):
    article = seed_articles["002"]
    assert all("He didn't care what he had" not in p for p in article.paragraphs)
    assert article.paragraphs[-1].startswith("By turning Russia into a vassal for China")


def test_korea_times_signoff_with_email_removed(seed_articles):
    article = seed_articles["001"]
    assert all("@koreatimes.co.kr" not in p for p in article.paragraphs)
    assert all(fold_key(p) != fold_key("Nam Hyun-woo") for p in article.paragraphs)


@pytest.mark.parametrize("number", sorted(CAPTIONS))
def test_photo_captions_never_in_body(seed_articles, number):
    article = seed_articles[number]
    texts = "\n".join([article.title, article.subtitle or "", article.body])
    left = [caption for caption in CAPTIONS[number] if caption in texts]
    assert left == []


@pytest.mark.parametrize("number", sorted(RELATED))
def test_related_headlines_between_paragraphs_dropped(seed_articles, number):
    body = seed_articles[number].body
    left = [headline for headline in RELATED[number] if headline in body]
    assert left == []


@pytest.mark.parametrize("number", sorted(FIRST_AND_LAST))
def test_first_and_last_real_paragraphs_kept(seed_articles, number):
    paragraphs = seed_articles[number].paragraphs
    first, last = FIRST_AND_LAST[number]
    assert paragraphs[0].startswith(first)
    assert paragraphs[-1].startswith(last)


def test_hankyoreh_body_paragraphs_kept_and_ends_before_image_credit(seed_articles):
    paragraphs = seed_articles["003"].paragraphs
    assert any(p.startswith("The Russians also expressed serious reservations") for p in paragraphs)
    assert paragraphs[-1].startswith("Alongside South Korea’s big-picture foreign policy direction")


@pytest.mark.parametrize("number", sorted(SEED_TITLES))
def test_no_paragraph_appears_twice(seed_articles, number):
    keys = [fold_key(p) for p in seed_articles[number].paragraphs]
    assert len(keys) == len(set(keys))
    assert fold_key(seed_articles[number].title) not in keys


@pytest.mark.parametrize("number", sorted(SEED_TITLES))
def test_body_is_substantial(seed_articles, number):
    # A cleaner that drops real text would still pass the junk checks; it must keep the article.
    assert seed_articles[number].word_count >= 300


def test_subtitles_of_korea_times_and_scmp(seed_articles):
    assert seed_articles["001"].subtitle == (
        "S. Korea's indirect arms supply to Ukraine stands in way of restoring bilateral relations: expert")
    assert seed_articles["004"].subtitle.startswith("The trip comes after the US and Seoul’s spy agency said")


def test_capitals_and_aliases_stand_for_countries_in_seed_000(seed_articles):
    actors = set(seed_articles["000"].actors)
    assert Actor("Ukraine", "country") in actors
    assert Actor("North Korea", "country") in actors
    assert Actor("Sergei Shoigu", "person") in actors
    assert Actor("Armed Forces of Ukraine", "organisation") in actors  # "AFU"


def test_kiev_and_dprk_resolve_to_their_countries():
    kb = load_knowledge_base()
    assert extract_actors(["Seoul is supplying shells to the Kiev regime."], kb) == (
        Actor("South Korea", "country"), Actor("Ukraine", "country"))
    assert extract_actors(["Cooperation between Moscow and the DPRK may be high."], kb) == (
        Actor("Russia", "country"), Actor("North Korea", "country"))


def test_all_capitals_alias_matches_only_in_capitals():
    kb = load_knowledge_base()
    assert Actor("United States", "country") in extract_actors(["Aid came from the US."], kb)
    assert Actor("United States", "country") not in extract_actors(["Give it to us now, he said."], kb)


def test_author_of_korea_times_article_is_never_an_actor(seed_articles):
    assert "Nam Hyun-woo" not in {a.name for a in seed_articles["001"].actors}


@pytest.mark.parametrize("number", sorted(SEED_TITLES))
def test_ap_and_photo_agencies_are_never_actors(seed_articles, number):
    names = {a.name for a in seed_articles[number].actors}
    assert not names & {"AP", "Associated Press", "AP-Yonhap", "Yonhap", "Reuters", "dpa"}


def test_caption_only_names_are_not_actors(seed_articles):
    # Fumio Kishida and the US State Department appear only in 004's photo captions.
    names = {a.name for a in seed_articles["004"].actors}
    assert "Fumio Kishida" not in names
    assert "US State Department" not in names


def test_author_and_caption_agency_not_actors_even_when_in_knowledge_base(tmp_path):
    """With a knowledge base that knows the author and 'AP', neither becomes an actor of 001."""
    kb_file = tmp_path / "actors.json"
    kb_file.write_text(json.dumps({
        "countries": [{"name": "Russia", "aliases": [], "demonyms": ["Russian"], "capitals": ["Moscow"]}],
        "people": [{"name": "Nam Hyun-woo", "aliases": []}],
        "organisations": [{"name": "Associated Press", "aliases": ["AP"]}],
    }), encoding="utf-8")
    # Knowledge base only: the model would add the people this small knowledge base does not know.
    options = PipelineOptions(actors_file=kb_file, ner=False)
    korea_times = process_file(seed_path("001"), options)
    scmp = process_file(seed_path("004"), options)
    assert korea_times.author == "Nam Hyun-woo"
    assert korea_times.actors == (Actor("Russia", "country"),)
    assert Actor("Associated Press", "organisation") not in scmp.actors
    assert Actor("Russia", "country") in scmp.actors


def test_seed_004_actors_include_people_named_in_body(seed_articles):
    names = {a.name for a in seed_articles["004"].actors}
    assert {"Antony Blinken", "Yoon Suk Yeol", "Kim Jong Un", "Vladimir Putin", "Andrei Lankov"} <= names
    assert "Park Chan-kyong" not in names


def test_article_id_is_the_content_hash_prefix(seed_articles):
    for article in seed_articles.values():
        assert article.id == article.content_hash[:16]
        assert len(article.content_hash) == 64
    assert len({a.id for a in seed_articles.values()}) == 5


def test_source_path_is_relative_to_the_corpus(seed_articles):
    assert seed_articles["000"].source_path == seed_path("000").name

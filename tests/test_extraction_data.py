"""The extraction data files (outlet registry, boilerplate patterns) are well formed and mean what they say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import indexer
from indexer.clean.lines import RULE_KINDS, matches_rule
from indexer.extract.outlets import load_registry

OUTLETS = Path(indexer.__file__).parent / "extract" / "data" / "outlets.json"
ENTRY_KEYS = {"name", "domains", "aliases", "signatures", "wire"}

# Article sentences and headlines that no boilerplate rule may match, whatever its kind.
ARTICLE_LINES = [
    "Seoul weighs arms exports after Moscow treaty",
    "The minister said: “We will not send weapons to a country at war.”",
    "He said the talks would resume in March.",
    "Comments from the ministry came late on Tuesday.",
    "More than 300 people were evacuated from the area, police said.",
    "Related companies also reported losses in the third quarter.",
    "Follow-up talks are planned for next year.",
    "Tags and labels on imported goods must be in Korean, the ministry said.",
    "Discussion of the budget will continue next week.",
    "先日、不正に改造したiPhoneを販売したとして、男性が逮捕されました。",
    "North Korea",
    "Putin",
]


def registry_entries() -> list[dict]:
    return json.loads(OUTLETS.read_text(encoding="utf-8"))["outlets"]


def test_outlet_entries_have_only_known_keys_and_a_boolean_wire_flag():
    for entry in registry_entries():
        assert set(entry) <= ENTRY_KEYS, entry["name"]
        assert isinstance(entry.get("wire", False), bool), entry["name"]
        assert all(isinstance(a, str) and a.strip() for a in entry.get("aliases", [])), entry["name"]


def test_news_agencies_are_marked_as_wires():
    registry = load_registry()
    for name in ("Reuters", "Associated Press", "AFP", "Yonhap News Agency", "Xinhua", "EFE"):
        assert registry.by_name(name).wire, name
    assert not registry.by_name("The Korea Times").wire


def test_every_signature_is_a_valid_pattern_that_does_not_match_prose():
    for entry in registry_entries():
        for signature in entry.get("signatures", []):
            pattern = re.compile(signature)
            assert not any(pattern.search(line) for line in ARTICLE_LINES), (entry["name"], signature)


def test_registry_resolves_subdomains_to_their_outlet_and_nothing_else():
    registry = load_registry()
    assert registry.by_domain("news.bbc.co.uk").name == "BBC"
    assert registry.by_domain("abc.net.au").name == "ABC News (Australia)"
    assert registry.by_domain("co.uk") is None
    assert registry.by_domain("notbbc.co.uk") is None


@pytest.mark.parametrize("kind", RULE_KINDS)
def test_no_boilerplate_rule_matches_an_article_line(kind):
    assert [line for line in ARTICLE_LINES if matches_rule(kind, line)] == []


@pytest.mark.parametrize("line, kind", [
    ("Facebook share button", "line"), ("ⓕ font-size", "line"), ("• +2", "line"), ("Settings", "line"),
    ("Advertisement", "line"), ("Get more with myNEWS", "line"), ("Why you can trust SCMP", "line"),
    ("go top LETTER", "line"), ("CLOSE", "line"), ("03:34", "line"), ("Image: iStock/Oleksii Liskonih", "line"),
    ("Facebook Twitter LinkedIn", "line"), ("We use cookies to improve your experience on our site.", "line"),
    ("Top 10 Stories", "end"), ("Related Articles", "end"), ("Você pode gostar...", "end"), ("関連記事", "end"),
    ("Thanks for reading. Making critical information accessible is one way to fight misinformation.", "promo"),
    ("Due to censorship and blocking of all media, stay tuned to our Telegram channel", "promo"),
    ("34 responses to “Anthony Lynn: We needed to win this game”", "comments"), ("Leave a Reply", "comments"),
    ("[ 167 comments ]", "comments"), ("Milan Griffes on September 12, 2018 at 4:47 pm said:", "comments"),
])
def test_each_kind_of_chrome_the_issue_lists_is_matched(line, kind):
    assert matches_rule(kind, line)

"""The actor data files: the curated knowledge base, the generated countries, the extraction rules."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from indexer.article import ACTOR_TYPES
from indexer.extract.knowledge import (COUNTRIES_FILE, CURATED_FILE, NAME_KEYS, RULES_FILE, SECTION_TYPES, fold_key,
                                       knowledge_entries, load_knowledge_base)


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_generated_countries_are_well_formed():
    raw = load(COUNTRIES_FILE)
    assert set(raw) == {"_doc", "countries"}
    codes = [entry["code"] for entry in raw["countries"]]
    assert len(codes) == len(set(codes)) and len(codes) > 200
    for entry in raw["countries"]:
        assert len(entry["code"]) == 2 and entry["code"].isupper(), entry
        assert isinstance(entry["name"], str) and entry["name"].strip(), entry
        for key in NAME_KEYS:
            assert all(isinstance(n, str) and n.strip() for n in entry[key]), (entry, key)
            # ISO codes are English words ("IN", "NO"): never aliases.
            assert not any(n.isupper() and len(n) <= 3 for n in entry[key]), (entry, key)


def test_no_name_stands_for_two_generated_countries():
    owners = Counter(key for actor, names in knowledge_entries(load(COUNTRIES_FILE)) for key in {fold_key(n) for n in names})
    assert [key for key, count in owners.items() if count > 1] == []


def test_curated_countries_extend_generated_ones():
    generated = {entry["name"] for entry in load(COUNTRIES_FILE)["countries"]}
    historical: set[str] = set()
    for entry in load(CURATED_FILE)["countries"]:
        assert entry["name"] in generated | historical, f"{entry['name']} is not a generated country: check its spelling"


def test_curated_entries_have_only_known_keys():
    for section in SECTION_TYPES:
        for entry in load(CURATED_FILE)[section]:
            assert set(entry) <= {"name", *NAME_KEYS}, entry
            if section != "countries":
                assert set(entry) <= {"name", "aliases"}, entry


def test_every_curated_actor_resolves_to_itself():
    kb = load_knowledge_base()
    for actor, names in knowledge_entries(load(CURATED_FILE)):
        assert kb.lookup(actor.name) == actor, actor
        for name in names:
            assert kb.lookup(name) is not None and kb.lookup(name).type == actor.type, (actor, name)


def test_merged_knowledge_base_has_every_type():
    kb = load_knowledge_base()
    assert {a.actor.type for a in kb.aliases.values() if a.actor} == set(ACTOR_TYPES)
    assert kb.lookup("South Korean").name == "South Korea"
    assert kb.lookup("Ukrainians").name == "Ukraine"


def test_rules_file_is_well_formed():
    raw = load(RULES_FILE)
    assert set(raw) == {"_doc", "credits", "never", "titles", "particles", "common", "places", "not_actor_heads"}
    for key, values in raw.items():
        if key != "_doc":
            assert values and all(isinstance(v, str) and v.strip() for v in values), key
            assert len(values) == len(set(values)), f"duplicates in {key}"


def test_places_are_not_actors_yet_hold_a_country_name():
    kb = load_knowledge_base()
    for place in load(RULES_FILE)["places"]:
        assert kb.lookup(place) is None, place


@pytest.mark.parametrize("path", [CURATED_FILE, COUNTRIES_FILE, RULES_FILE], ids=lambda p: p.name)
def test_data_file_is_utf8_json_with_a_doc(path):
    assert isinstance(load(path)["_doc"], str)

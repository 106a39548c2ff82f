"""The shipped data files: outlet registry, actor knowledge base, boilerplate patterns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import indexer
from indexer.article import ACTOR_TYPES
from indexer.clean.lines import RULE_KINDS, boilerplate_rules, fold_key
from indexer.extract.actors import fold, load_knowledge_base
from indexer.extract.outlets import load_registry

PACKAGE = Path(indexer.__file__).parent
OUTLETS = PACKAGE / "extract" / "data" / "outlets.json"
ACTORS = PACKAGE / "extract" / "data" / "actors.json"
BOILERPLATE = PACKAGE / "clean" / "data" / "boilerplate.json"
SECTION_TYPES = {"countries": "country", "people": "person", "organisations": "organisation"}


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [OUTLETS, ACTORS, BOILERPLATE], ids=lambda p: p.name)
def test_data_file_is_valid_json_object(path):
    assert isinstance(load(path), dict)


def test_every_outlet_has_a_name_and_a_domain():
    outlets = load(OUTLETS)["outlets"]
    assert len(outlets) >= 5
    for entry in outlets:
        assert isinstance(entry.get("name"), str) and entry["name"].strip(), entry
        domains = entry.get("domains")
        assert isinstance(domains, list) and domains, entry["name"]
        for domain in domains:
            assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain), (entry["name"], domain)


def test_outlet_names_and_aliases_are_unique():
    seen: dict[str, str] = {}
    for entry in load(OUTLETS)["outlets"]:
        for name in (entry["name"], *entry.get("aliases", [])):
            key = fold_key(name)
            assert seen.setdefault(key, entry["name"]) == entry["name"], f"{name!r} names two outlets"


def test_outlet_domains_are_unique():
    seen: dict[str, str] = {}
    for entry in load(OUTLETS)["outlets"]:
        for domain in entry["domains"]:
            assert seen.setdefault(domain, entry["name"]) == entry["name"], f"{domain} belongs to two outlets"


def test_every_outlet_signature_compiles():
    for entry in load(OUTLETS)["outlets"]:
        for signature in entry.get("signatures", []):
            re.compile(signature)


def test_outlet_registry_loads_and_answers():
    registry = load_registry()
    assert registry.by_domain("koreatimes.co.kr").name == "The Korea Times"
    assert registry.by_domain("edition.scmp.com").name == "South China Morning Post"
    assert registry.display_name("korea times") == "The Korea Times"
    assert registry.display_name("Some Local Paper") == "Some Local Paper"


def test_every_boilerplate_pattern_compiles():
    raw = load(BOILERPLATE)
    assert set(raw) - {"_doc"} == set(RULE_KINDS)
    for kind in RULE_KINDS:
        assert raw[kind], kind
        for pattern in raw[kind]:
            re.compile(pattern, re.IGNORECASE)
    rules = boilerplate_rules()
    assert {k: len(v) for k, v in rules.items()} == {k: len(raw[k]) for k in RULE_KINDS}


def test_boilerplate_patterns_do_not_match_ordinary_prose():
    prose = [
        "Relations between South Korea and Russia are expected to get stuck in limbo.",
        "The remarks came against a background of rising tensions between South Korea and Russia.",
        "Seoul supports such plans.",
        "North Korea",
        "Putin",
    ]
    rules = boilerplate_rules()
    for line in prose:
        for kind, patterns in rules.items():
            assert not any(p.fullmatch(line) for p in patterns), (kind, line)


def test_every_actor_has_a_name_and_a_valid_type():
    raw = load(ACTORS)
    assert set(SECTION_TYPES) <= set(raw)
    assert set(SECTION_TYPES.values()) == set(ACTOR_TYPES)
    for section in SECTION_TYPES:
        assert raw[section], section
        for entry in raw[section]:
            assert isinstance(entry.get("name"), str) and entry["name"].strip(), entry
            for key in ("aliases", "demonyms", "capitals"):
                values = entry.get(key, [])
                assert isinstance(values, list) and all(isinstance(v, str) and v.strip() for v in values), (entry, key)
    for section in set(raw) - set(SECTION_TYPES) - {"_doc"}:
        pytest.fail(f"unknown section {section!r} in actors.json")


def test_no_alias_maps_to_two_different_actors():
    owners: dict[tuple[str, ...], tuple[str, str]] = {}
    clashes = []
    for section, actor_type in SECTION_TYPES.items():
        for entry in load(ACTORS)[section]:
            actor = (entry["name"], actor_type)
            for name in (entry["name"], *entry.get("aliases", []), *entry.get("demonyms", []), *entry.get("capitals", [])):
                key = tuple(fold(name).split())
                assert key, (entry["name"], name)
                if owners.setdefault(key, actor) != actor:
                    clashes.append((name, owners[key], actor))
    assert clashes == []


def test_canonical_actor_names_are_unique():
    names = [entry["name"] for section in SECTION_TYPES for entry in load(ACTORS)[section]]
    assert len(names) == len(set(names))


def test_knowledge_base_loads_and_resolves_aliases():
    kb = load_knowledge_base()
    assert kb.lookup("Putin").name == "Vladimir Putin"
    assert kb.lookup("Kim Jong-un").name == "Kim Jong Un"
    assert (kb.lookup("Kremlin").name, kb.lookup("Kremlin").type) == ("Russia", "country")
    assert kb.lookup("Nobody In Particular") is None

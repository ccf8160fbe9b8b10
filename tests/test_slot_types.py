"""The slot-type registry (assistant/slots.py) is complete and agrees with the modules reading it.

A type added to the registry but not to the parsers, the sphinx rules or the sayings would fail
only when a user first says it; these checks fail at once instead.
"""

from __future__ import annotations

import re

import pytest

from assistant.asr.grammar import TYPE_RULES
from assistant.dialog.context import parse_entity
from assistant.nlu import entities
from assistant.nlu.loader import EXAMPLES
from assistant.nlu.loader import SLOT_TYPES as LOADER_TYPES
from assistant.scripted.fill import spoken
from assistant.slots import FREE_TEXT, SLOT_TYPES, entity_kind, slot_type

TYPED = [t for t in SLOT_TYPES.values() if not t.free_text]


def test_exactly_one_free_text_type_and_the_loader_knows_every_type():
    assert [t.name for t in SLOT_TYPES.values() if t.free_text] == [FREE_TEXT] == ["text"]
    assert tuple(SLOT_TYPES) == LOADER_TYPES
    assert set(EXAMPLES) == set(SLOT_TYPES)


@pytest.mark.parametrize("stype", TYPED, ids=lambda t: t.name)
def test_each_typed_slot_has_a_parser_that_reads_its_own_examples(stype):
    assert stype.parser is not None and callable(getattr(entities, stype.parser))
    for lang in ("en", "zh"):
        assert stype.examples[lang], (stype.name, lang)
        for example in stype.examples[lang]:
            assert stype.parse(example, lang) is not None, (stype.name, example)


@pytest.mark.parametrize("stype", TYPED, ids=lambda t: t.name)
def test_each_typed_slot_has_a_sphinx_rule_whose_references_resolve(stype):
    assert stype.sphinx is not None and TYPE_RULES[stype.name] == stype.sphinx
    for ref in re.findall(r"<(\w+)>", stype.sphinx):
        assert ref in TYPE_RULES, (stype.name, ref)


def test_a_value_is_said_by_its_type_in_both_languages():
    no_names = lambda *a: "?"  # noqa: E731
    assert spoken("duration", 300, "en", no_names) == "5 minutes"
    assert spoken("duration", 300, "zh", no_names) == "5分钟"
    assert spoken("level", 40, "zh", no_names) == "百分之四十"
    assert spoken("language", "zh", "en", no_names) == "Chinese"
    assert spoken("language", "en", "zh", no_names) == "英文"
    assert spoken("date", "12-25", "zh", no_names) == "12月25日"
    assert spoken("number", 25, "en", no_names) == "twenty-five"
    # a malformed value and the free-text type are said as given
    assert spoken("time", "soon", "en", no_names) == "soon"
    assert spoken("text", "jazz", "zh", no_names) == "jazz"


def test_follow_up_answers_use_the_registry_parser_only_where_enabled():
    assert parse_entity("duration", "five minutes", "en") == 300
    assert parse_entity("level", "百分之四十", "zh") == 40
    # date and language never answered a pending question; the registry keeps that
    assert slot_type("date") is not None and not slot_type("date").follow_up
    assert parse_entity("date", "may fifth", "en") is None
    assert parse_entity("room", "kitchen", "en") is None


def test_retrieval_files_a_level_with_numbers_and_other_kinds_as_themselves():
    assert entity_kind("level") == "number"
    assert entity_kind("duration") == "duration"
    assert entity_kind("list:room") == "list:room"

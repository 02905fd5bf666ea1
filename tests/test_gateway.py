"""The YAML gateway: plain data with locations, every problem reported, hostile input refused cleanly."""

from __future__ import annotations

import pytest

from scenarios.gateway import MAX_BYTES, Location, YamlError, read_yaml, read_yaml_file


def problems(content: str | bytes, **kwargs) -> list[str]:
    with pytest.raises(YamlError) as caught:
        read_yaml(content, "f.yaml", **kwargs)
    return [str(p) for p in caught.value.problems]


def test_reads_plain_data_with_locations():
    doc = read_yaml("id: a\nnodes:\n  one:\n    choices:\n      - say: hi\n        n: 3\n", "f.yaml")
    assert doc.data == {"id": "a", "nodes": {"one": {"choices": [{"say": "hi", "n": 3}]}}}
    assert doc.values[("nodes", "one", "choices", 0, "say")] == Location(5, 14)
    assert doc.keys[("nodes", "one", "choices", 0, "n")] == Location(6, 9)
    assert doc.locate(("nodes", "one", "choices", 0, "missing")) == Location(5, 9)
    assert doc.locate(("nodes", "one"), key=True) == Location(3, 3)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: no", "no"),
        ("v: yes", "yes"),
        ("v: off", "off"),
        ("v: 'true'", "true"),
        ("v: true", True),
        ("v: False", False),
        ("v: ~", None),
        ("v:", None),
        ("v: 12", 12),
        ("v: -3", -3),
        ("v: 1.5", 1.5),
        ("v: 2026-11-22", "2026-11-22"),
        ("v: 1:30", "1:30"),
        ('v: "12"', "12"),
        ("v: |\n  two\n  lines\n", "two\nlines\n"),
    ],
)
def test_scalars_follow_yaml_1_2_core_rules(text, value):
    assert read_yaml(text).data == {"v": value}


def test_duplicate_keys_are_all_reported():
    assert problems("a: 1\nb: 2\na: 3\nm:\n  x: 1\n  x: 2\n") == [
        "f.yaml:3:1: duplicate key 'a' (first defined at line 1); each key may appear once",
        "f.yaml:6:3: duplicate key 'x' (first defined at line 5); each key may appear once",
    ]


def test_tags_that_construct_objects_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\nb: !!python/name:os.system\n'
    assert problems(text) == [
        "f.yaml:1:4: YAML tags such as '!!python/object/apply:os.system' are not allowed; use plain text, numbers, lists and mappings",
        "f.yaml:2:4: YAML tags such as '!!python/name:os.system' are not allowed; use plain text, numbers, lists and mappings",
    ]
    assert not marker.exists()


def test_alias_bomb_is_refused_without_expanding():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    found = problems("\n".join(lines))  # a naive loader would build 9**9 strings here
    assert found[0] == "f.yaml:2:8: aliases (*a) are not allowed; write the value out in full"
    assert len(found) == 8  # each alias name once


def test_deep_nesting_is_refused():
    assert problems("x: " + "[" * 100 + "]" * 100) == ["f.yaml:1:35: the data is nested more than 32 levels deep"]


def test_huge_text_is_refused_before_parsing():
    text = "a: " + "x" * (MAX_BYTES + 1)
    assert problems(text) == [f"f.yaml:1:1: the file is too large ({len(text):,} bytes; the limit is {MAX_BYTES:,} bytes)"]


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 10)
    with pytest.raises(YamlError) as caught:
        read_yaml_file(path)
    assert [p.message for p in caught.value.problems] == [
        f"the file is too large ({MAX_BYTES + 10:,} bytes; the limit is {MAX_BYTES:,} bytes)"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"id: a\n\x89PNG\x00\x00", "f.yaml:2:5: this looks like a binary file, not YAML text (it contains a NUL byte)"),
        (b"id: caf\xe9\n", "f.yaml:1:8: the file is not UTF-8 text (byte 0xe9 cannot be read); save it as UTF-8"),
        (b"", "f.yaml:1:1: the file is empty"),
        (b"# nothing but a comment\n", "f.yaml:1:1: the file is empty"),
        (b"a: 1\n---\nb: 2\n", "f.yaml:2:1: a file holds one YAML document; remove the second '---'"),
        (b'a: "open\n', "f.yaml:2:1: YAML syntax: found unexpected end of stream (while scanning a quoted scalar)"),
        (b"a: [1, 2\nb: 3\n", "f.yaml:2:2: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence)"),
        (
            b"a: 1\n\tb: 2\n",
            "f.yaml:2:1: YAML syntax: found a tab character that violates indentation (while scanning a plain scalar)",
        ),
        (b"? [a, b]\n: c\n", "f.yaml:1:3: mapping keys must be plain text, not a list or mapping"),
        (b"a: \x07\n", "f.yaml:1:4: YAML syntax: control characters are not allowed (found U+0007)"),
    ],
)
def test_bad_bytes_and_syntax_give_one_clear_message(content, expected):
    assert problems(content) == [expected]


def test_utf8_bom_and_unicode_text_are_fine():
    doc = read_yaml("\ufeffname: Zoë Nguyễn 🌱\n".encode())
    assert doc.data == {"name": "Zoë Nguyễn 🌱"}


def test_missing_file_is_a_clear_problem(tmp_path):
    with pytest.raises(YamlError) as caught:
        read_yaml_file(tmp_path / "nope.yaml")
    assert [p.message for p in caught.value.problems] == ["cannot read the file: No such file or directory"]

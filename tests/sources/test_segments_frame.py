"""In-memory segments over a column of every kind: each segment's counts are
what the unsegmented counter gives for that segment's rows alone, in pandas
and in Arrow, whatever the segment columns hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import airflow_kl as ak
from airflow_kl.core.binning import categorical_counts
from airflow_kl.core.errors import SchemaError
from airflow_kl.sources.frame import TypedColumn, count_frame
from airflow_kl.sources.segments import category_codes, count_segments, segment_rows
from tests.conformance.engines import accepted, make_frame

FEATURES = accepted("pandas")  # "mixed" (Python objects of several types) too


def canonical_keys(frame: pd.DataFrame, by: list[str]) -> list[tuple]:
    """Each row's key, by plain Python: ``str`` of the value, None where missing."""
    columns = [frame[b].astype(object).where(frame[b].notna(), None) for b in by]
    return [tuple(None if v is None else str(v) for v in row) for row in zip(*columns, strict=True)]


def mixed_counts(values: pd.Series, fp) -> np.ndarray:
    """A column of mixed Python objects counted as the profile reads it: ``str(v)``."""
    present = [str(v) for v in values if not pd.isna(v)]
    counts = {v: present.count(v) for v in set(present)}
    return categorical_counts(counts, len(values) - len(present), fp.categories)


@pytest.mark.parametrize("by", [["str"], ["nbool"], ["str", "bool"], ["cat", "nbool", "str"]])
@pytest.mark.parametrize("engine", ["pandas", "Arrow"])
def test_each_segment_counts_its_rows_alone(by, engine):
    frame = make_frame()
    features = FEATURES if engine == "pandas" else [f for f in FEATURES if f != "mixed"]
    frame = frame[list(dict.fromkeys([*features, *by]))]
    profile = ak.build_profile(frame, features=features, segment_by=by, max_segments=6)
    data = frame if engine == "pandas" else pa.Table.from_pandas(frame, preserve_index=False)
    seg = profile.segments
    groups = count_segments(data, profile.features, seg.by, seg.keys, seg.values)
    keys = canonical_keys(frame, by)
    for key, counted in zip(seg.all_keys, groups, strict=True):
        rows = [i for i, k in enumerate(keys) if (k == key if key else k not in seg.keys)]
        part = frame.iloc[rows].reset_index(drop=True)
        taken = data.take(pa.array(rows, pa.int64())) if engine == "Arrow" else part
        typed = [n for n in features if n != "mixed"]
        alone = count_frame(taken, {n: profile.features[n] for n in typed})
        if "mixed" in features:  # typed alone, a segment's rows may all be numbers
            alone["mixed"] = mixed_counts(part["mixed"], profile.features["mixed"])
        for name in features:
            assert counted[name].tolist() == alone[name].tolist(), (key, name)
    assert [{n: list(c) for n, c in g.items()} for g in seg.counts] == [
        {n: c.tolist() for n, c in g.items()}
        for g in count_segments(frame, profile.features, seg.by, seg.keys, seg.values)
    ]


def test_segment_rows_are_plain_counts_of_the_keys():
    frame = make_frame()
    rows, values = segment_rows(frame, ["str", "nbool"])
    expected: dict = {}
    for key in canonical_keys(frame, ["str", "nbool"]):
        expected[key] = expected.get(key, 0) + 1
    assert rows == expected
    assert values == ("string", "boolean")


def test_category_codes_read_every_string_form():
    """Arrow strings, dictionaries, string views, pandas categories and mixed
    Python objects give the same canonical value per row."""
    values = ["b", None, "a", "b", ""]
    forms = [
        pd.Series(values, dtype=object),
        pd.Series(values, dtype="category"),
        pa.chunked_array([pa.array(values[:2]), pa.array(values[2:])]),
        pa.array(values).dictionary_encode(),
        pa.array(values, pa.string_view()),
    ]
    for form in forms:
        codes, labels = category_codes(TypedColumn("c", form))
        got = [None if c < 0 else labels[c] for c in codes.tolist()]
        assert got == values, form
    mixed = pd.Series([1, "1", None, True, 1.0], dtype=object)
    codes, labels = category_codes(TypedColumn("m", mixed))
    assert [None if c < 0 else labels[c] for c in codes.tolist()] == ["1", "1", None, "True", "1.0"]


def test_unseen_values_fall_in_other_and_a_null_column_in_missing():
    reference = pd.DataFrame({"x": np.arange(300.0), "o": ["a", "b", "c"] * 100})
    profile = ak.build_profile(reference, features=["x"], segment_by="o", max_segments=2)
    assert profile.segments.keys == (("a",), ("b",))
    current = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "o": ["a", "z", None, "c"]})
    groups = count_segments(current, profile.features, ("o",), profile.segments.keys)
    assert [int(g["x"].sum()) for g in groups] == [1, 0, 3]
    nulls = pd.DataFrame({"x": [1.0, 2.0], "o": [None, None]})
    groups = count_segments(nulls, profile.features, ("o",), profile.segments.keys)
    assert [int(g["x"].sum()) for g in groups] == [0, 0, 2]


def test_a_number_is_no_segment_column_and_types_must_match_the_profile():
    frame = pd.DataFrame({"x": np.arange(200.0), "month": [1, 2] * 100, "o": ["a", "b"] * 100})
    with pytest.raises(SchemaError, match="segment column 'month' is number .int64. in pandas"):
        ak.build_profile(frame, segment_by="month")
    profile = ak.build_profile(frame, features=["x"], segment_by="o")
    flipped = frame.assign(o=[True, False] * 100)
    with pytest.raises(SchemaError, match="'o' is string .* but boolean .bool. in pandas"):
        ak.check_drift(profile, flipped)
    with pytest.raises(SchemaError, match="lacks column|missing|'o'"):
        ak.check_drift(profile, frame.drop(columns="o"))


@pytest.fixture(scope="module")
def by_o():
    reference = pd.DataFrame(
        {"x": np.arange(300.0), "c": ["p", "q", "r"] * 100, "o": ["a", "b", "c"] * 100}
    )
    return ak.build_profile(reference, segment_by="o", max_segments=2, top_k=2)


def test_a_categorical_column_all_missing_or_unseen_counts_per_segment(by_o):
    """c all NaN (pandas reads an empty text column as float64): every row in
    MISSING; c with values the reference never had: OTHER."""
    seg = by_o.segments
    assert seg.keys == (("a",), ("b",)) and by_o.features["c"].categories == ("p", "q")
    empty = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": [np.nan] * 3, "o": ["a", "a", "z"]})
    groups = count_segments(empty, by_o.features, seg.by, seg.keys, seg.values)
    assert [g["c"].tolist() for g in groups] == [[0, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 1]]
    unseen = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["new", "p", None], "o": ["b", "b", "b"]})
    groups = count_segments(unseen, by_o.features, seg.by, seg.keys, seg.values)
    assert [g["c"].tolist() for g in groups] == [[0, 0, 0, 0], [1, 0, 1, 1], [0, 0, 0, 0]]


def test_errors_name_the_column_and_the_engine(by_o):
    seg = by_o.segments
    frame = pd.DataFrame({"x": ["1"], "c": ["p"], "o": ["a"]})
    with pytest.raises(SchemaError) as err:
        count_segments(frame, by_o.features, seg.by, seg.keys, seg.values)
    assert str(err.value) == (
        "feature 'x' is number (float64) in the profile but string (str) in "
        "pandas; cast the column or rebuild the profile"
    )
    with pytest.raises(SchemaError, match=r"Arrow data lacks|'c'") as err:
        count_segments(pa.table({"x": [1.0], "o": ["a"]}), by_o.features, seg.by, seg.keys)
    assert "Arrow data" in str(err.value) and "'c'" in str(err.value)
    with pytest.raises(SchemaError) as err:
        segment_rows(pd.DataFrame({"x": [1.0]}), ["o"])
    assert "pandas data (segment_by)" in str(err.value) and "'o'" in str(err.value)
    with pytest.raises(SchemaError) as err:
        segment_rows(pa.table({"o": pa.array([b"a"], pa.binary())}), ["o"])
    assert str(err.value).startswith("column 'o' has the Arrow type binary")


def test_too_many_combinations_are_refused_before_counting(monkeypatch):
    """Two columns of 2 and 3 values (3 and 4 codes with missing): 12 combinations."""
    import airflow_kl.sources.segments as segments

    frame = pd.DataFrame({"a": ["x", "y"] * 3, "b": ["p", "q", "r"] * 2})
    monkeypatch.setattr(segments, "MAX_COMBINATIONS", 12)
    assert sum(segment_rows(frame, ["a", "b"])[0].values()) == 6
    monkeypatch.setattr(segments, "MAX_COMBINATIONS", 11)
    with pytest.raises(SchemaError) as err:
        segment_rows(frame, ["a", "b"])
    assert str(err.value) == "segment columns ['a', 'b'] have too many combinations to count"


@pytest.mark.parametrize("bins", [4, 100])  # 99 edges: bins by binary search
@pytest.mark.parametrize("in_order", [False, True])
def test_numeric_segments_count_their_rows_alone(bins, in_order):
    """Rows binned and counted by (segment, bin), or, already in segment order,
    counted run by run: each segment's counts are its rows' counts alone, NaN
    and infinities included."""
    rng = np.random.default_rng(bins)
    x = rng.normal(size=5000)
    x[rng.integers(0, 5000, 40)] = np.nan
    x[rng.integers(0, 5000, 5)] = np.inf
    x[rng.integers(0, 5000, 5)] = -np.inf
    frame = pd.DataFrame({"x": x, "s": rng.choice(["a", "b", "c", "d"], 5000)})
    if in_order:
        frame = frame.sort_values("s", kind="stable").reset_index(drop=True)
    profile = ak.build_profile(frame, features=["x"], bins=bins, segment_by="s")
    seg = profile.segments
    groups = count_segments(frame, profile.features, seg.by, seg.keys, seg.values)
    for key, counted in zip(seg.all_keys, groups, strict=True):
        other = ~frame["s"].isin([k[0] for k in seg.keys])
        part = frame[frame["s"] == key[0]] if key else frame[other]
        alone = count_frame(part.reset_index(drop=True), {"x": profile.features["x"]})
        assert counted["x"].tolist() == alone["x"].tolist(), key
    assert sum(g["x"] for g in groups).tolist() == list(profile.features["x"].counts)


def test_count_groups_refuses_group_ids_it_cannot_place():
    """Each row's group must be an integer in 0 .. groups-1, one per row: an id
    past the count would land in another group's cells (or none)."""
    from airflow_kl.core.profile import FeatureProfile
    from airflow_kl.sources.segments import count_groups

    df = pd.DataFrame({"x": [0.0, 2.0, 5.0]})
    fp = {"x": FeatureProfile("x", "numeric", (0, 0, 0), edges=(1.0,))}
    got = count_groups(df, fp, np.array([1, 0, 1]), 2, "pandas")
    assert [g["x"].tolist() for g in got] == [[0, 1, 0], [1, 1, 0]]
    assert [g["x"].tolist() for g in count_groups(df, fp, np.array([0, 0, 1]), 3, "pandas")] == [
        [1, 1, 0],
        [0, 1, 0],
        [0, 0, 0],
    ]
    for group, groups, match in (
        (np.array([0, 2, 1]), 2, "group ids must be in 0 .. 1, got 0 .. 2"),
        (np.array([0, -1, 1]), 2, "group ids must be in 0 .. 1, got -1 .. 1"),
        (np.array([0, 1]), 2, r"one integer per row \(3\)"),
        (np.array([0.0, 1.0, 1.0]), 2, r"one integer per row \(3\), got float64"),
        (np.array([0, 0, 0]), 0, "groups must be an integer >= 1, got 0"),
        (np.array([0, 0, 0]), True, "groups must be an integer >= 1, got True"),
        (np.array([True, False, True]), 2, r"one integer per row \(3\), got bool"),
    ):
        with pytest.raises(SchemaError, match=match):
            count_groups(df, fp, group, groups, "pandas")


def test_add_groups_needs_the_same_segments_and_features():
    from airflow_kl.core.partitions import add_groups

    one = [{"x": np.array([1, 2])}, {"x": np.array([3, 4])}]
    assert [g["x"].tolist() for g in add_groups(one, one)] == [[2, 4], [6, 8]]
    with pytest.raises(SchemaError, match="^cannot add counts of 1 segments to 2$"):
        add_groups(one, one[:1])
    with pytest.raises(SchemaError, match="^cannot add counts of 3 segments to 2$"):
        add_groups(one, [*one, *one[:1]])
    with pytest.raises(SchemaError, match="^cannot add counts of other features: the segments "):
        add_groups(one, [{"x": np.array([1, 2])}, {"y": np.array([3, 4])}])

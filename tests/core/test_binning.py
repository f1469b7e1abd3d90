from bisect import bisect_right

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_kl.core.binning import (
    bin_tallies,
    categorical_counts,
    check_edges,
    counts_from_tallies,
    finite,
    numeric_counts,
    quantile_edges,
    top_categories,
    uniform_edges,
)
from airflow_kl.core.errors import ConfigError

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


def test_quantile_edges_are_numpy_linear_quantiles():
    x = np.random.default_rng(0).exponential(size=1001)
    q = np.linspace(0, 1, 11)[1:-1]
    assert quantile_edges(x, 10).tolist() == np.quantile(x, q).tolist()


def test_quantile_edges_ignore_missing_and_infinite():
    x = np.array([np.nan, -np.inf, 1.0, 2.0, 3.0, 4.0, np.inf])
    assert quantile_edges(x, 2).tolist() == [2.5]


def test_tied_quantiles_collapse():
    x = np.array([0.0] * 90 + [1.0] * 10)
    # q = 0.1..0.8 all land on 0; q = 0.9 sits at position 0.9 * 99 = 89.1,
    # a tenth of the way from x[89] = 0 to x[90] = 1
    assert quantile_edges(x, 10).tolist() == pytest.approx([0.0, 0.1], abs=1e-12)


def test_left_closed_bins_open_tails_and_missing():
    edges = np.array([1.0, 2.0])
    x = np.array([-np.inf, 0.99, 1.0, 1.5, 2.0, 7.0, np.inf, np.nan, np.nan])
    # bin0: x<1, bin1: 1<=x<2, bin2: x>=2, MISSING
    assert numeric_counts(x, edges).tolist() == [2, 2, 3, 2]


def test_no_edges_is_one_value_bin():
    assert numeric_counts(np.array([1.0, np.nan, 5.0]), np.array([])).tolist() == [2, 1]


def test_uniform_edges():
    assert uniform_edges(np.array([0.0, 1.0, np.nan]), 4).tolist() == [0.25, 0.5, 0.75]


@pytest.mark.parametrize("bad", [[1.0, 1.0], [2.0, 1.0], [0.0, float("inf")], ["a"]])
def test_bad_explicit_edges(bad):
    with pytest.raises(ConfigError):
        check_edges(bad)


@pytest.mark.parametrize("bins", [0, -3, 2.5, True, "10"])
def test_bad_bins(bins):
    with pytest.raises(ConfigError, match="bins must be an integer"):
        quantile_edges(np.arange(5.0), bins)


def test_top_categories_ties_by_string():
    vc = {"b": 5, "a": 5, "c": 9, "d": 1}
    assert top_categories(vc, 3) == ("c", "a", "b")


def test_categorical_counts_other_and_missing():
    counts = categorical_counts({"a": 3, "x": 2, "y": 1}, missing=4, categories=("a", "b"))
    assert counts.tolist() == [3, 0, 3, 4]


@given(st.lists(floats, min_size=1, max_size=200), st.integers(1, 20))
def test_counts_sum_to_n(values, bins):
    x = np.array(values, dtype=float)
    edges = quantile_edges(x, bins)
    assert numeric_counts(x, edges).sum() == len(values)
    assert np.all(np.diff(edges) > 0)


def on_and_beside(edges: list[float]):
    """Values drawn on the edges and one ulp either side of them, and any float."""
    near = [v for e in edges for v in (np.nextafter(e, -np.inf), e, np.nextafter(e, np.inf))]
    return st.one_of(floats, st.sampled_from(near)) if near else floats


@given(st.integers(0, 100), st.data())
def test_kernel_puts_values_on_and_beside_edges_in_left_closed_bins(n_edges, data):
    """Both kernels (one comparison per edge, and searchsorted above 64 edges)
    against Python's bisect over values drawn on the edges."""
    edges = np.unique(np.linspace(-5, 5, n_edges)) if n_edges else np.empty(0)
    values = data.draw(st.lists(on_and_beside(edges.tolist()), max_size=300))
    expected = [0] * (len(edges) + 2)
    for v in values:
        expected[-1 if np.isnan(v) else bisect_right(edges.tolist(), v)] += 1
    assert numeric_counts(np.array(values, dtype=float), edges).tolist() == expected


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=200))
def test_bin_assignment_is_monotone(values):
    x = np.sort(np.array(values))
    edges = quantile_edges(x, 5)
    idx = np.searchsorted(edges, x, side="right")
    assert np.all(np.diff(idx) >= 0)


class NumpyOps:
    """The tally conditions as numpy masks, as an engine would render them."""

    def __init__(self, x):
        self.x = x

    def missing(self):
        return np.isnan(self.x) if self.x.dtype.kind == "f" else self.x == None  # noqa: E711

    def less(self, edge):
        return self.x < edge

    def equals(self, category):
        return self.x == category


def tallied(x, edges=None, categories=None, kind="numeric"):
    tallies = [int(np.count_nonzero(m)) for m in bin_tallies(NumpyOps(x), edges, categories)]
    return counts_from_tallies(tallies, len(x), kind).tolist()


@given(st.integers(0, 12), st.data())
def test_tallies_give_left_closed_bins_with_values_on_edges(n_edges, data):
    """Every engine counts tallies (x < e per edge, missing); the bins they give
    equal a per-value bisect, with values on, beside and between the edges."""
    edges = np.unique(np.linspace(-3, 3, n_edges)) if n_edges else np.empty(0)
    values = data.draw(st.lists(on_and_beside(edges.tolist()), max_size=200))
    expected = [0] * (len(edges) + 2)
    for v in values:
        expected[-1 if np.isnan(v) else bisect_right(edges.tolist(), v)] += 1
    assert tallied(np.array(values, dtype=float), edges.tolist()) == expected


def test_tallies_by_hand():
    x = np.array([-np.inf, 1.0, 1.5, 2.0, 7.0, np.inf, np.nan])
    assert tallied(x, [1.0, 2.0]) == [1, 2, 3, 1]  # < 1 | [1, 2) | >= 2 | MISSING
    assert tallied(x, []) == [6, 1]
    labels = np.array(["a", "b", "a", None, "c", "a"], dtype=object)
    assert tallied(labels, categories=["a", "b"], kind="categorical") == [3, 1, 1, 1]
    assert tallied(labels, categories=[], kind="categorical") == [5, 1]


def test_tallies_that_cannot_come_from_the_rows_are_refused():
    with pytest.raises(ValueError, match=r"tallies \[0, 5\] do not fit 3 rows"):
        counts_from_tallies([0, 5], 3, "numeric")
    with pytest.raises(ValueError, match="do not fit"):
        counts_from_tallies([0, 2, 1], 3, "numeric")  # cumulative counts must not fall


@pytest.mark.parametrize(
    "edges,message",
    [
        (["a"], "edges must be numbers, got ['a']"),
        ([1.0, np.inf], "edges must be finite numbers, got [1.0, inf]"),
        ([[1.0, 2.0]], "edges must be finite numbers, got [[1.0, 2.0]]"),
        ([1.0, 1.0], "edges must be strictly increasing, got [1.0, 1.0]"),
    ],
)
def test_explicit_edges_refused_with_the_value(edges, message):
    with pytest.raises(ConfigError) as info:
        check_edges(edges)
    assert str(info.value) == message


def test_close_explicit_edges_are_fine():
    assert check_edges([0.0, 0.5, 0.75]).tolist() == [0.0, 0.5, 0.75]
    assert check_edges(v for v in (1, 2)).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("top_k", [0, -1, 1.5, True, "3"])
def test_top_k_refused_by_name(top_k):
    from airflow_kl.core.binning import check_top_k

    with pytest.raises(ConfigError) as info:
        check_top_k(top_k)
    assert str(info.value) == f"top_k must be an integer >= 1, got {top_k!r}"


def test_top_k_of_one_and_zero_counts():
    from airflow_kl.core.binning import check_top_k

    assert check_top_k(1) == 1 and check_top_k(np.int32(2)) == 2
    assert top_categories({"a": 2, "b": 0, "c": 1}, 5) == ("a", "c")


def test_engine_quantiles_become_float_edges():
    from decimal import Decimal

    from airflow_kl.core.binning import edges_from_quantiles

    edges = edges_from_quantiles([Decimal("1.5"), 1, Decimal("1.5")])
    assert edges == (1.0, 1.5) and all(type(v) is float for v in edges)


def test_counts_are_integers_with_many_edges_too():
    x = np.arange(200.0)
    for n_edges in (9, 70):
        edges = np.linspace(0.5, 198.5, n_edges)
        counts = numeric_counts(x, edges)
        assert counts.dtype == np.int64 and counts.sum() == 200
    assert finite([1, 2, np.inf]).dtype == np.float64


def test_uniform_edges_at_their_boundaries():
    from airflow_kl.core.binning import uniform_edges_between

    assert uniform_edges(np.array([np.nan, np.inf]), 5).tolist() == []
    assert uniform_edges(np.array([3.0]), 4).tolist() == [3.0]
    assert uniform_edges_between(0.0, 1.0, 2).tolist() == [0.5]
    assert uniform_edges_between(0.0, 1.0, 1).tolist() == []
    assert uniform_edges_between(None, 1.0, 4).tolist() == []
    assert uniform_edges_between(0.0, None, 4).tolist() == []
    assert uniform_edges_between(0.0, 1.0, 1).dtype == np.float64


def test_missing_columns_are_listed_with_what_there_is():
    from airflow_kl.core.binning import require_columns
    from airflow_kl.core.errors import SchemaError

    with pytest.raises(SchemaError) as info:
        require_columns(["x", "y"], ["a", "x", "b"], "current data")
    assert str(info.value) == "current data lacks column(s) 'a', 'b'; it has: x, y"
    with pytest.raises(SchemaError) as info:
        require_columns([], ["a"])
    assert str(info.value) == "data lacks column(s) 'a'; it has: no columns"
    require_columns(["a"], ["a"])


def test_unpack_counts_splits_three_features_and_names_a_short_row():
    from airflow_kl.core.binning import unpack_counts

    out = unpack_counts({"a": 1, "b": 2, "c": 1}, [1, 2, None, 4])
    assert {k: v.tolist() for k, v in out.items()} == {"a": [1], "b": [2, 0], "c": [4]}
    with pytest.raises(ValueError) as info:
        unpack_counts({"a": 2, "b": 1}, [1, 2])
    assert str(info.value) == "expected 3 counts, got 2"


@pytest.mark.parametrize("features", ["x", [], ()])
def test_features_must_be_a_non_empty_list(features):
    from airflow_kl.core.binning import check_feature_names

    with pytest.raises(ConfigError) as info:
        check_feature_names(features)
    assert str(info.value) == f"features must be a non-empty list of names, got {features!r}"


def test_feature_names_as_a_list():
    from airflow_kl.core.binning import check_feature_names

    assert check_feature_names(None) is None and check_feature_names(("a", "b")) == ["a", "b"]


def test_numeric_counts_reads_any_numbers_as_float64():
    """Decimals (as a database driver returns them) are numbers too: no NaN test
    or comparison fails on them."""
    from decimal import Decimal

    values = [Decimal("0.5"), Decimal("1.5"), Decimal("NaN")]
    assert numeric_counts(values, [1.0]).tolist() == [1, 1, 1]
    assert numeric_counts(values, [Decimal("1.0")]).tolist() == [1, 1, 1]


def test_public_kernels_read_none_as_missing_and_refuse_what_is_not_a_column():
    """quantile_bins, numeric_counts and numeric_bin_index take any 1-D
    sequence of numbers (None is MISSING, as NaN) and refuse anything else by
    name; edges must be finite and strictly increasing."""
    from airflow_kl.core.binning import numeric_bin_index, quantile_bins

    values = [None, 1.0, 2, 3.0, float("nan"), 4]
    edges, counts = quantile_bins(values, bins=2)
    assert edges.tolist() == [2.5] and counts.tolist() == [2, 2, 2]
    assert numeric_counts(values, [2.5]).tolist() == [2, 2, 2]
    assert numeric_bin_index(values, [2, 3]).tolist() == [3, 0, 1, 2, 3, 2]
    for kernel in (
        quantile_bins,
        lambda v: numeric_counts(v, [1.0]),
        lambda v: numeric_bin_index(v, [1.0]),
    ):
        for bad in (None, 3.0, [[1.0, 2.0]], ["a", 1.0]):
            with pytest.raises(ConfigError, match="values must be a 1-D sequence of numbers"):
                kernel(bad)
    for kernel in (numeric_counts, numeric_bin_index):
        for bad, match in (
            ([None], "must be finite numbers, got \\[nan\\]"),
            ([2.0, 1.0], "must be strictly increasing, got \\[2.0, 1.0\\]"),
            ([1.0, 1.0], "must be strictly increasing"),
            ([float("inf")], "must be finite numbers, got \\[inf\\]"),
            ([[1.0]], "must be finite numbers"),
            ("1", "must be numbers, got '1'"),
            (None, "must be numbers, got None"),
        ):
            with pytest.raises(ConfigError, match=f"^edges {match}"):
                kernel([1.0], bad)

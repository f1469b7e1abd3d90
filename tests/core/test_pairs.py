"""Pairs: the split of a pair's joint KL, its test, and the profile's tables."""

import math

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.core.errors import ConfigError, ProfileError
from airflow_kl.core.merge import merge_profiles
from airflow_kl.core.pair_profile import PairProfile, merge_counts, merged_cells, read_pairs
from airflow_kl.core.pairs import association_df, association_test, pair_divergences
from tests.independent import no_three_way_g, pair_split, pair_tables

RNG = np.random.default_rng(44)


def correlated(rng, n, rho, shift=0.0, missing=0.0):
    x = rng.multivariate_normal([shift, 0.0], [[1.0, rho], [rho, 1.0]], n)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": rng.choice(list("xyz"), n)})
    if missing:
        frame.loc[rng.random(n) < missing, "a"] = np.nan
    return frame


@pytest.mark.parametrize(
    "rho_ref,rho_cur,shift,missing,smoothing",
    [(0.6, -0.6, 0.0, 0.0, 0.5), (0.3, 0.3, 0.4, 0.05, 0.5), (0.0, 0.5, 0.0, 0.02, 1.0)],
)
def test_the_split_agrees_with_a_computation_from_the_definition(
    rho_ref, rho_cur, shift, missing, smoothing
):
    rng = np.random.default_rng(7)
    ref = correlated(rng, 3000, rho_ref, missing=missing)
    cur = correlated(rng, 2000, rho_cur, shift=shift, missing=missing)
    profile = ak.build_profile(ref, features=["a", "b"], pairs=[("a", "b")])
    pair = profile.pairs[0]
    edges = {n: profile.features[n].edges for n in ("a", "b")}
    ref_table, cur_table = pair_tables(
        ref, cur, "a", "b", edges, dict(zip("ab", pair.cells, strict=True))
    )
    assert ref_table.tolist() == [list(r) for r in pair.counts]
    report = ak.check_drift(profile, cur, smoothing=smoothing)
    found = report.pairs[("a", "b")]
    assert [list(r) for r in found.current_counts] == cur_table.tolist()
    kl, dependence, marginal = pair_split(ref_table, cur_table, alpha=smoothing)
    assert found.kl == pytest.approx(kl, abs=1e-12)
    assert found.dependence == pytest.approx(dependence, abs=1e-12)
    assert found.marginal == pytest.approx(marginal, abs=1e-12)


def random_tables(rng, count=200):
    for _ in range(count):
        shape = tuple(rng.integers(2, 6, 2))
        ref = rng.integers(0, 40, shape) * (rng.random(shape) > 0.15)
        cur = rng.integers(0, 40, shape) * (rng.random(shape) > 0.15)
        yield ref, cur


@pytest.mark.parametrize("direction", ["current||reference", "reference||current"])
def test_the_parts_add_up_to_the_joint_kl(direction):
    worst = 0.0
    for ref, cur in random_tables(np.random.default_rng(1)):
        d = pair_divergences(cur, ref, smoothing=0.5, direction=direction)
        assert d.dependence >= 0 and d.marginal >= 0
        worst = max(worst, abs(d.dependence + d.marginal - d.kl))
    assert worst <= 1e-12, worst


def test_moving_only_the_marginals_leaves_no_dependence():
    """Each row and column of the reference reweighted by whole numbers: the odds
    ratios stay, so all of the KL is the marginal part, whichever feature moved."""
    rng = np.random.default_rng(2)
    for _ in range(100):
        ref = rng.integers(1, 50, (4, 5))
        rows, cols = rng.integers(1, 6, 4), rng.integers(1, 6, 5)
        for cur in (ref * rows[:, None] * cols[None, :], ref * rows[:, None], ref * cols):
            d = pair_divergences(cur, ref, smoothing=0)
            assert abs(d.dependence) <= 1e-12
            assert d.marginal == pytest.approx(d.kl, abs=1e-12)


def test_with_no_smoothing_a_new_row_of_cells_makes_the_marginal_part_infinite():
    ref = np.array([[10, 5], [5, 10], [0, 0]])
    cur = np.array([[10, 5], [5, 10], [3, 0]])
    d = pair_divergences(cur, ref, smoothing=0)
    assert math.isinf(d.kl) and math.isinf(d.marginal)
    assert d.dependence == pytest.approx(0.0, abs=1e-12)  # the rows both hold keep their odds


def test_the_association_test_agrees_with_a_poisson_loglinear_fit():
    rng = np.random.default_rng(3)
    for shape in ((2, 2), (3, 4), (5, 3)):
        ref, cur = rng.integers(5, 60, shape), rng.integers(5, 60, shape)
        g, df, _ = association_test(cur, ref)
        assert g == pytest.approx(no_three_way_g(ref, cur), rel=1e-9)
        assert df == (shape[0] - 1) * (shape[1] - 1)


def test_the_degrees_of_freedom_leave_out_what_holds_no_information():
    full = np.ones((3, 3), dtype=int)
    assert association_df(full, full) == 4
    one_empty = full.copy()
    one_empty[0, 0] = 0
    assert association_df(one_empty, one_empty) == 3  # one empty cell, still connected
    only_current = np.vstack([full, [[4, 4, 4]]])
    assert association_df(only_current, np.vstack([full, [[0, 0, 0]]])) == 4  # row fitted exactly
    blocks = np.array([[5, 5, 0, 0], [5, 5, 0, 0], [0, 0, 5, 5], [0, 0, 5, 5]])
    assert association_df(blocks, blocks) == 2  # two components, a cycle each


def test_the_small_sample_correction_is_worked_by_hand():
    """Two sides of 900 rows, 100 in each of 3 x 3 cells: N = 1800,
    a = 1800 (1/900 + 1/900) - 1 = 3; cells of 200 rows give N sum 1/n_ab = 81,
    rows and columns of 600 give 9 each: q = 1 + 3 (81 - 9 - 9 + 1) / (6 1800 4)."""
    table = np.full((3, 3), 100)
    g, df, q = association_test(table, table)
    assert (g, df) == (0.0, 4)
    assert q == pytest.approx(1 + 3 * 64 / (6 * 1800 * 4), abs=1e-15)


def test_cells_merge_adjacent_bins_of_equal_rows_and_keep_missing_alone():
    assert merged_cells([10] * 10 + [7], cells=3) == (0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3)
    assert merged_cells([1, 0, 0, 0, 99, 0], cells=3) == (0, 0, 0, 0, 1, 2)  # one bin: one cell
    assert merge_counts([10] * 10 + [7], merged_cells([10] * 10 + [7])).tolist() == [30, 40, 30, 7]


def test_a_profile_keeps_the_pair_table_summing_to_its_features():
    frame = correlated(np.random.default_rng(4), 2000, 0.5, missing=0.1)
    profile = ak.build_profile(frame, pairs="a:b, c:a")
    assert [p.features for p in profile.pairs] == [("a", "b"), ("c", "a")]
    for pair in profile.pairs:
        table = pair.count_array
        for axis, (name, cells) in enumerate(zip(pair.features, pair.cells, strict=True)):
            merged = merge_counts(profile.features[name].counts, cells)
            assert table.sum(axis=1 - axis).tolist() == merged.tolist()
    assert profile.format_version == 4
    assert ak.Profile.from_json(profile.to_json()) == profile
    a, b = profile.pairs[0].count_array.shape
    assert a == b == 4  # three value cells and MISSING


def test_a_table_that_disagrees_with_its_features_is_refused():
    frame = correlated(np.random.default_rng(4), 500, 0.5)
    profile = ak.build_profile(frame, pairs=[("a", "b")])
    data = profile.to_dict()
    data["pairs"][0]["counts"][0][0] += 1
    data.pop("checksum")
    body = {k: v for k, v in data.items()}
    with pytest.raises(ProfileError, match=r"pair 'a × b': the table's sums over 'a' are"):
        ak.Profile(
            profile.features,
            pairs=[PairProfile.from_dict(body["pairs"][0])],
        )


@pytest.mark.parametrize(
    "value,message",
    [
        ("a:a", "a pair needs two different features, got 'a' twice"),
        ("a:b,b:a", "pair b:a is given twice"),
        ("a", "a pair is two feature names, as ('a', 'b') or 'a:b', got 'a'"),
        (42, "pairs must be a list of (feature, feature) pairs, got 42"),
    ],
)
def test_bad_pairs_are_named(value, message):
    with pytest.raises(ConfigError) as caught:
        read_pairs(value)
    assert str(caught.value) == message


def test_pairs_need_profiled_features_and_no_segments():
    frame = correlated(np.random.default_rng(4), 500, 0.5)
    with pytest.raises(ConfigError, match="pair a:d: 'd' is not a profiled feature"):
        ak.build_profile(frame, pairs="a:d")
    with pytest.raises(ConfigError, match="pairs with segment_by are not supported yet"):
        ak.build_profile(frame, pairs="a:b", segment_by="c")


def test_a_check_judges_the_pairs_it_is_asked_for():
    rng = np.random.default_rng(5)
    profile = ak.build_profile(correlated(rng, 1000, 0.5), pairs="a:b,a:c")
    current = correlated(rng, 1000, 0.5)
    assert list(ak.check_drift(profile, current).pairs) == [("a", "b"), ("a", "c")]
    assert list(ak.check_drift(profile, current, pairs="b:a").pairs) == [("a", "b")]
    assert ak.check_drift(profile, current, pairs=[]).pairs == {}
    assert list(ak.check_drift(profile, current, features=["a", "c"]).pairs) == [("a", "c")]
    with pytest.raises(ConfigError, match="pair b:c is not in the profile; its pairs: a:b, a:c"):
        ak.check_drift(profile, current, pairs="b:c")


def test_merged_profiles_and_rolling_references_add_the_tables():
    rng = np.random.default_rng(6)
    jan = ak.build_profile(correlated(rng, 1000, 0.5), pairs="a:b")
    feb = ak.count_profile(jan, correlated(rng, 800, -0.2))
    both = merge_profiles([jan, feb])
    assert (
        both.pairs[0].count_array.tolist()
        == (jan.pairs[0].count_array + feb.pairs[0].count_array).tolist()
    )
    report = ak.check_drift(jan, correlated(rng, 800, -0.2))
    rolled = ak.reference_from_reports(jan, [report], ["2013-02"])
    table = rolled.pairs[0].count_array.tolist()
    assert table == [list(r) for r in report.pairs[("a", "b")].current_counts]


def test_a_source_that_cannot_count_pairs_says_so_before_reading():
    """A source that does not count pairs (one another package adds) is refused
    before its rows are counted."""
    from airflow_kl.sources.memory import FrameSource

    frame = correlated(np.random.default_rng(8), 300, 0.5)
    counted = []

    class NoPairs(FrameSource):
        counts_pairs = False

        def count(self, features, group_by=None, progress=None):
            counted.append(group_by)
            return super().count(features, group_by, progress)

    profile = ak.build_profile(frame, pairs="a:b")
    with pytest.raises(ConfigError, match=r"frame of 300 rows does not count pairs; .* pairs=\[\]"):
        ak.check_drift(profile, NoPairs(frame))
    assert counted == []
    assert ak.check_drift(profile, NoPairs(frame), pairs=[]).pairs == {}


def test_a_sparse_table_is_not_favoured_for_its_plug_in_bias():
    """A 4 x 4 table of 140 rows has the larger plug-in mutual information, all
    of it bias ((R - 1)(C - 1) / 2N = 9 / 280); a 2 x 2 table of 2,000 rows a
    smaller one that is real: only the second is picked."""
    from airflow_kl.core.pair_choice import choose_pairs

    sparse = np.array([[12, 8, 10, 10], [8, 12, 10, 10], [10, 10, 7, 3], [10, 10, 3, 7]])
    dense = np.array([[560, 440], [440, 560]])

    def plug_in(t):
        p = t / t.sum()
        return float(np.sum(p * np.log(p / np.outer(p.sum(1), p.sum(0)))))

    assert plug_in(sparse) > plug_in(dense)
    (picked,) = choose_pairs({("a", "b"): sparse, ("c", "d"): dense}, 5)
    assert picked["pair"] == "c:d"
    assert picked["mutual_information"] == pytest.approx(plug_in(dense), abs=1e-15)
    assert picked["corrected"] == pytest.approx(plug_in(dense) - 1 / 4000, abs=1e-15)


def test_auto_pairs_are_the_dependent_ones_best_first():
    rng = np.random.default_rng(9)
    n = 4000
    a = rng.normal(size=n)
    c = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "a": a,
            "b": a + 0.5 * rng.normal(size=n),
            "c": c,
            "d": 0.4 * c + rng.normal(size=n),
            "e": rng.normal(size=n),
            "f": rng.choice(list("pqrstu"), n),
        }
    )
    profile = ak.build_profile(frame, pairs="auto")
    assert [p.features for p in profile.pairs] == [("a", "b"), ("c", "d")]
    picked = profile.settings["pairs_picked"]
    assert [p["pair"] for p in picked] == ["a:b", "c:d"]
    assert picked[0]["corrected"] > picked[1]["corrected"] > 0
    assert all(p["p_value"] < 0.01 for p in picked)
    assert ak.build_profile(frame, pairs="auto:1").pairs == profile.pairs[:1]
    with pytest.raises(ConfigError, match="pairs='auto:N' needs a whole number N >= 1"):
        ak.build_profile(frame, pairs="auto:0")


def test_auto_pairs_keep_a_feature_whose_name_holds_the_separator():
    rng = np.random.default_rng(10)
    a = rng.normal(size=2000)
    frame = pd.DataFrame({"rate:usd": a, "tier": a + 0.3 * rng.normal(size=2000)})
    profile = ak.build_profile(frame, pairs="auto")
    assert [p.features for p in profile.pairs] == [("rate:usd", "tier")]

"""Packing a month of daily counts: exact round trips and the sizes the store relies on."""

from hypothesis import given, settings
from hypothesis import strategies as st

from backend import series_codec

months = st.dictionaries(
    st.integers(0, 63),
    st.dictionaries(st.integers(0, 30), st.integers(1, 2**40), max_size=31),
    max_size=6,
)


@settings(max_examples=300, derandomize=True)
@given(months)
def test_pack_unpack_round_trip(series):
    expected = {code: days for code, days in series.items() if days}
    assert series_codec.unpack(series_codec.pack(series)) == expected


def test_zero_counts_are_dropped_and_sizes_are_small():
    assert series_codec.pack({3: {5: 0}}) == b""
    assert len(series_codec.pack({0: {17: 3}})) == 4  # series, count, delta, views
    dense = series_codec.pack({0: {d: 100 for d in range(31)}})
    assert len(dense) <= 2 + 31 * 2


def test_merge_adds_into_existing_days():
    target = {1: {0: 5}}
    series_codec.merge(target, [(1, 0, 2), (1, 3, 4), (2, 1, 1)])
    assert target == {1: {0: 7, 3: 4}, 2: {1: 1}}


def test_add_days_counts_wanted_series_marks_the_rest_and_skips_others():
    blob = series_codec.pack({0: {0: 5, 2: 7}, 1: {1: 3, 2: 1}, 9: {0: 300, 4: 2**30}})
    into: dict[int, int] = {100: 1}
    series_codec.add_days(blob, 100, {0: {100, 102}}, into, marked={1: {101, 102}})
    # Series 0 adds into day 100 and 102; series 1 only marks day 101 (day 102 already
    # counted); series 9 is skipped whole.
    assert into == {100: 6, 101: 0, 102: 7}


@settings(max_examples=200, derandomize=True)
@given(months)
def test_add_days_agrees_with_unpack(series):
    blob = series_codec.pack(series)
    wanted = {code: set(range(1000, 1031)) for code in list(series)[::2]}
    into: dict[int, int] = {}
    series_codec.add_days(blob, 1000, wanted, into)
    expected: dict[int, int] = {}
    for code, days in series_codec.unpack(blob).items():
        if code in wanted:
            for slot, views in days.items():
                expected[1000 + slot] = expected.get(1000 + slot, 0) + views
    assert into == expected

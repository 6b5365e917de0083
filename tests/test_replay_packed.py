"""Packed token sums (costcalc.replay.pricing.pack): one integer addition per group, exact."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from costcalc.replay.grouping import MAX_TOKENS
from costcalc.replay.pricing import LANE_BITS, pack, requests_of, unpack

# Any lane's sum of up to 10^8 rows (the benchmark's largest log) of at most MAX_TOKENS each.
counts = st.integers(min_value=0, max_value=MAX_TOKENS * 10**8)
sums = st.tuples(counts, counts, counts, counts, counts, counts)


def test_pack_by_hand() -> None:
    """Each count sits in its own 96-bit lane, requests lowest, reasoning highest."""
    packed = pack((1, 2, 3, 4, 5, 6))
    # 1 + 2 * 2^96 + 3 * 2^192 + 4 * 2^288 + 5 * 2^384 + 6 * 2^480
    assert packed == 1 + 2 * 2**96 + 3 * 2**192 + 4 * 2**288 + 5 * 2**384 + 6 * 2**480
    assert unpack(packed) == (1, 2, 3, 4, 5, 6)
    assert requests_of(packed) == 1


def test_lane_bound() -> None:
    """A lane holds 2^96 - 1: a full lane does not leak into its neighbours; 10^8 rows of
    10^12 tokens (10^20) are far below it."""
    full = 2**LANE_BITS - 1
    assert unpack(pack((full, 0, full, 0, full, full))) == (full, 0, full, 0, full, full)
    assert full > MAX_TOKENS * 10**8


@given(sums, sums)
def test_adding_packed_sums_adds_every_count(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """pack(a) + pack(b) == pack(a + b), lane by lane, and unpacks back exactly."""
    total = tuple(x + y for x, y in zip(a, b, strict=True))
    assert pack(a) + pack(b) == pack(total)
    assert unpack(pack(a) + pack(b)) == total


@given(sums, sums)
def test_subtracting_a_part_subtracts_every_count(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """A sum minus one of its parts (the traffic already on a model) leaves the other part."""
    whole = pack(a) + pack(b)
    assert unpack(whole - pack(b)) == a

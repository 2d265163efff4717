"""The fixed histogram the percentiles of the two times are read from (docs/reports.md,
«Percentiles»).

Bucket 0 holds [0, 1 min); bucket k (1 ≤ k ≤ LAST - 1) holds [2^((k-1)/3), 2^(k/3)) minutes,
three buckets a doubling, up to 2^16 minutes (about 45.5 days); bucket LAST holds
everything longer. A percentile is read as the geometric middle of the bucket its rank
falls in: within 2^(1/6) - 1 ≈ 12.2 % of the exact value for any time between one minute
and 45 days; below one minute it reads 30 s, above 45 days the bucket's lower edge.
Means are exact (the rollup keeps the sums)."""

from __future__ import annotations

import functools
import math

PER_DOUBLING = 3
DOUBLINGS = 16
COUNT = PER_DOUBLING * DOUBLINGS + 2  # [0, 1 min), the log-spaced ones, and the overflow
LAST = COUNT - 1
# The four histograms the rollup keeps, each a prefix of its COUNT columns.
HISTOGRAMS = ("fr_wall", "fr_business", "res_wall", "res_business")


def bucket_of(seconds: float) -> int:
    """The bucket a time (in seconds) falls in."""
    minutes = seconds / 60
    if minutes < 1:
        return 0
    k = math.floor(math.log2(minutes) * PER_DOUBLING) + 1
    # Floating point may land an exact edge one bucket low; an edge belongs to the bucket it opens.
    if k < LAST and minutes >= 2 ** (k / PER_DOUBLING):
        k += 1
    elif k > 1 and minutes < 2 ** ((k - 1) / PER_DOUBLING):
        k -= 1
    return min(k, LAST)


def lower_edge(k: int) -> float:
    """The bucket's lower edge, in seconds."""
    return 0.0 if k == 0 else 60 * 2 ** ((k - 1) / PER_DOUBLING)


def representative(k: int) -> float:
    """What a percentile falling in bucket k reads, in seconds."""
    if k == 0:
        return 30.0
    if k == LAST:
        return lower_edge(k)
    return 60 * 2 ** ((k - 0.5) / PER_DOUBLING)


def column(histogram: str, k: int) -> str:
    return f"{histogram}_h{k:02d}"


@functools.cache
def columns(histogram: str) -> tuple[str, ...]:
    return tuple(column(histogram, k) for k in range(COUNT))


def percentile(counts: list[int], share: float) -> float | None:
    """The time below which `share` (0–1) of the counted times fall, read from the bucket
    counts (nearest rank: the smallest bucket whose running count reaches ⌈share·n⌉)."""
    total = sum(counts)
    if total <= 0:
        return None
    rank = max(1, math.ceil(share * total))
    running = 0
    for k, n in enumerate(counts):
        running += n
        if running >= rank:
            return representative(k)
    return representative(LAST)

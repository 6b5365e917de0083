"""The floor of target (b): the bare arithmetic of a compare over N offers held as columns.

Not costcalc's code: what any design would still do per offer if offers and scores
were columns (plain lists) instead of objects. It sizes the redesign issue #9 (b)
needs, against the 15 microseconds per offer the target leaves (15 x a bundled run of
about 100 ms, over 100,000 offers). N synthetic offers shaped as side_by_side.py's
(one model, one USD offer and three scores each, the same random ranges and seed
rule), decoded from a JSON text of columns, then:

- decimals: prices as Decimal (exact money);
- quality: the mean method's weighted mean, standard error and band of the three
  scores (weights of the balanced profile, standard errors from each benchmark's item
  count, as costcalc.quality.normalised), in Decimal, and again with numpy in binary
  floating point (`quality_numpy`, not in the total);
- cost: 2,000 in and 500 out tokens, exactly;
- rank: the bar (90% of the best), the order by cost, and a dominance sweep;
- table: one formatted two-line row per offer, into a buffer (about compare's table).

Usage: python benchmarks/columnar_floor.py [--offers N]. Prints CPU microseconds per
offer for each stage and in all.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
from decimal import Decimal

import numpy as np

WEIGHTS = {"gpqa-diamond": Decimal(2), "aime-2025": Decimal(2), "swe-bench-verified": Decimal(2)}
"""The balanced profile's weights of side_by_side.py's three benchmarks (pricing/profiles)."""
ITEMS = {"gpqa-diamond": 198, "aime-2025": 30, "swe-bench-verified": 500}
"""Each benchmark's item count, as the bundled benchmark sheet gives it."""
Z = Decimal("1.96")


def columns(n: int, seed: int = 9) -> bytes:
    """N offers as the JSON text of columns (side_by_side.write_synthetic's ranges)."""
    rnd = random.Random(seed)
    doc = {
        "model": [f"syn-{i:06d}" for i in range(n)],
        "provider": [f"syn-p{i // 1000:04d}" for i in range(n)],
        "input": [str(rnd.randint(1, 2000) / 100) for _ in range(n)],
        "output": [str(rnd.randint(1, 8000) / 100) for _ in range(n)],
        "scores": [[str(rnd.randint(200, 950) / 10) for _ in WEIGHTS] for _ in range(n)],
    }
    return json.dumps(doc).encode()


def measure(n: int) -> dict[str, float]:
    blob = columns(n)
    clock = time.process_time
    took: dict[str, float] = {}
    start = clock()
    doc = json.loads(blob)
    took["json"] = clock() - start

    start = clock()
    inp = [Decimal(x) for x in doc["input"]]
    out = [Decimal(x) for x in doc["output"]]
    took["decimals"] = clock() - start

    start = clock()
    hundred, zero = Decimal(100), Decimal(0)
    weights = list(WEIGHTS.values())
    items = [Decimal(ITEMS[b]) for b in WEIGHTS]
    quality, high = [], []
    for scores in doc["scores"]:
        covered = weighted = squares = zero
        for w, n_items, text in zip(weights, items, scores, strict=True):
            value = Decimal(text)
            p = value / hundred
            stderr = hundred * (p * (1 - p) / n_items).sqrt()
            covered += w
            weighted += w * value
            squares += w * w * stderr * stderr
        mean = weighted / covered
        band = Z * squares.sqrt() / covered
        quality.append(mean)
        high.append(min(hundred, mean + band))
    took["quality"] = clock() - start

    start = clock()
    scores_f = np.array(doc["scores"], dtype=float)
    w_f = np.array([float(w) for w in weights])
    n_f = np.array([float(x) for x in items])
    p_f = scores_f / 100
    se_f = 100 * np.sqrt(p_f * (1 - p_f) / n_f)
    mean_f = (scores_f * w_f).sum(1) / w_f.sum()
    np.minimum(100, mean_f + 1.96 * np.sqrt((w_f * w_f * se_f * se_f).sum(1)) / w_f.sum())
    took["quality_numpy"] = clock() - start

    start = clock()
    million, tokens_in, tokens_out = Decimal(1_000_000), Decimal(2000), Decimal(500)
    cost = [(a * tokens_in + b * tokens_out) / million for a, b in zip(inp, out, strict=True)]
    took["cost"] = clock() - start

    start = clock()
    bar = max(quality) * Decimal("0.9")
    order = sorted(range(n), key=cost.__getitem__)
    best: int | None = None
    dominated: list[int | None] = [None] * n
    for i in order:
        if best is not None and quality[best] >= quality[i]:
            dominated[i] = best
        if best is None or quality[i] > quality[best]:
            best = i
    took["rank"] = clock() - start

    start = clock()
    text = io.StringIO()
    cheapest = cost[order[0]]
    places, money = Decimal("0.1"), Decimal("0.00001")
    for rank, i in enumerate(order, 1):
        q = quality[i]
        flag = "ok" if high[i] >= bar else ""
        dom = "pareto" if dominated[i] is None else f"dom #{dominated[i]}"
        text.write(
            f"{rank:>6}   {doc['model'][i]:<18} {q.quantize(places)} ± {high[i] - q:.1f}"
            f"    ${cost[i].quantize(money)}    {cost[i] / cheapest:.2f}×   {flag}, {dom}\n"
            f"           {doc['provider'][i]}\n"
        )
    took["table"] = clock() - start
    per = {name: round(value / n * 1e6, 2) for name, value in took.items()}
    per["total"] = round(sum(v for k, v in took.items() if k != "quality_numpy") / n * 1e6, 2)
    return per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=100_000)
    args = parser.parse_args()
    for name, value in measure(args.offers).items():
        print(f"{name:>14}: {value:6.2f} µs per offer")


if __name__ == "__main__":
    main()

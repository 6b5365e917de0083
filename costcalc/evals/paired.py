"""The paired non-inferiority test behind "good enough" when per-item results exist.

Two models answered the same n items, each right (1) or wrong (0). Only the
discordant items carry information about the difference: b = items model A got
right and the reference R wrong, c = items A got wrong and R right. The
difference of the two scores is d = (b - c) / n. A is *non-inferior* to R by a
margin D (a share, e.g. 0.05 = 5 points) when the test rejects
H0: p_A - p_R <= -D in favour of H1: p_A - p_R > -D.

The test is the score test of Nam (1997) and Tango (1998) ("Equivalence test
and confidence interval for the difference in proportions for the
paired-sample design", Statistics in Medicine 17:891-908), at d0 = -D:

    Z = (b - c - n d0) / sqrt(n (2 q + d0 (1 - d0)))

where q is the maximum-likelihood estimate of the probability of a (0, 1)
pair (A wrong, R right) restricted to p_A - p_R = d0:

    q = (sqrt(B^2 - 8 n C) - B) / (4 n),  B = -(b + c) + (2n - b + c) d0,
                                           C = -c d0 (1 - d0)

(the positive root of 2n q^2 + B q + C = 0, from setting the derivative of
b log(q + d0) + c log q + (n - b - c) log(1 - 2q - d0) to zero). A is
non-inferior when Z > z (1.96: a one-sided test at 2.5%, the usual level for
non-inferiority, matching the 95% bands elsewhere). At D = 0 the statistic is
McNemar's, (b - c) / sqrt(b + c). Unlike a Wald interval it stays defined when
b or c is 0 (Tango's point). Items must be scored 0 or 1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from costcalc.errors import InputError

MAX_ITEMS_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PairedResult:
    """One paired non-inferiority test of a model against the reference (best) model."""

    model: str
    reference: str
    benchmark: str
    n: int
    b: int
    """Items the model got right and the reference wrong."""
    c: int
    """Items the model got wrong and the reference right."""
    margin: float
    """Non-inferiority margin, as a share (0.05 = 5 points)."""
    difference: float
    """(b - c) / n, as a share."""
    z: float
    """The score statistic; +inf when it cannot fall (no variance, difference above -margin)."""
    critical: float
    non_inferior: bool

    def payload(self) -> dict[str, object]:
        return {
            "test": "paired non-inferiority (Tango 1998 score test)",
            "benchmark": self.benchmark,
            "reference": self.reference,
            "items": self.n,
            "model_only_right": self.b,
            "reference_only_right": self.c,
            "difference_points": round(self.difference * 100, 4),
            "margin_points": round(self.margin * 100, 4),
            "z": None if math.isinf(self.z) else round(self.z, 4),
            "critical_z": self.critical,
            "non_inferior": self.non_inferior,
        }


def restricted_q(n: int, b: int, c: int, d0: float) -> float:
    """ML estimate of P(model wrong, reference right) given p_model - p_reference = d0."""
    big_b = -(b + c) + (2 * n - b + c) * d0
    big_c = -c * d0 * (1 - d0)
    return (math.sqrt(big_b * big_b - 8 * n * big_c) - big_b) / (4 * n)


def tango_z(n: int, b: int, c: int, margin: float) -> float:
    """The score statistic for H0: p_model - p_reference <= -margin (see the module docstring)."""
    if n <= 0 or b < 0 or c < 0 or b + c > n:
        raise ValueError(f"impossible counts n={n} b={b} c={c}")
    if not -1 < margin < 1:
        raise ValueError(f"margin must be a share in (-1, 1), got {margin}")
    d0 = -margin
    q = restricted_q(n, b, c, d0)
    var = n * (2 * q + d0 * (1 - d0))
    num = b - c - n * d0
    if var <= 0:
        return math.inf if num > 0 else (0.0 if num == 0 else -math.inf)
    return num / math.sqrt(var)


def paired_test(
    model: str,
    reference: str,
    benchmark: str,
    model_items: Mapping[str, float],
    reference_items: Mapping[str, float],
    margin: float,
    critical: float = 1.96,
) -> PairedResult | None:
    """Test a model against the reference on the same 0/1 items; None when they are not the
    same items or an item is not scored 0 or 1 (then the unpaired band decides)."""
    if set(model_items) != set(reference_items) or not model_items:
        return None
    b = c = 0
    for item, value in model_items.items():
        ref = reference_items[item]
        if value not in (0, 1) or ref not in (0, 1):
            return None
        if value == 1 and ref == 0:
            b += 1
        elif value == 0 and ref == 1:
            c += 1
    n = len(model_items)
    z = tango_z(n, b, c, margin)
    return PairedResult(
        model, reference, benchmark, n, b, c, margin, (b - c) / n, z, critical, z > critical
    )


def read_items(path: Path) -> tuple[str, dict[str, dict[str, float]]]:
    """A per-item file (costcalc.evals.sheet): benchmark id, and model -> item -> score."""
    name = str(path)
    try:
        if path.is_symlink():
            raise InputError("a symbolic link; refusing to follow it", file=name)
        if path.stat().st_size > MAX_ITEMS_BYTES:
            raise InputError(f"larger than {MAX_ITEMS_BYTES:,} bytes", file=name)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=name) from None
    per: dict[str, dict[str, float]] = {}
    bench = ""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"invalid JSON: {exc}", file=name, line=n) from None
        if not isinstance(row, dict):
            raise InputError("expected an object", file=name, line=n)
        if n == 1:
            if row.get("schema_version") != 1 or not isinstance(row.get("benchmark"), str):
                raise InputError(
                    "expected the header {schema_version: 1, benchmark: ...}",
                    file=name,
                    line=n,
                    field="schema_version",
                )
            bench = row["benchmark"]
            continue
        item, scores = row.get("item"), row.get("scores")
        if not isinstance(item, str) or not isinstance(scores, dict):
            raise InputError(
                "expected {item: ID, scores: {MODEL: 0|1}}", file=name, line=n, field="item"
            )
        for model, value in scores.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (0 <= value <= 1)
            ):
                raise InputError(
                    f"expected a score between 0 and 1, got {value!r}"[:200],
                    file=name,
                    line=n,
                    field=f"scores.{model}",
                )
            per.setdefault(model, {})[item] = value
    if not bench:
        raise InputError("empty per-item file", file=name, field="schema_version")
    return bench, per

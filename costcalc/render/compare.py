"""A ranking as text: one table (rich, Markdown, CSV) and a stable JSON payload.

JSON (documented in the README, stable): money as exact decimal strings
(`cost_per_request`, `cost_per_1000_requests`), ratios of money rounded to 12
places (`marginal_cost_per_point`) or 4 (`cost_multiple`), qualities as numbers
rounded to 2 places, coverage as a share 0-1 rounded to 4 places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from json.encoder import encode_basestring
from typing import Any

from costcalc.compare import CompareOptions, CompareResult
from costcalc.money import decimal_str, fmt_money, fmt_tokens, quantize
from costcalc.quality import Part
from costcalc.rank import Ranking, RankRow
from costcalc.render.contract import SCHEMA_VERSION
from costcalc.render.fastjson import NotPlain, _piece, scalar_text
from costcalc.render.notes import hidden_tokens_notes, price_age_note
from costcalc.render.tables import Column, Table, records_table
from costcalc.selfhosted import SelfHostedCost, SelfHostedOffer
from costcalc.workload import HiddenTokens

THOUSAND = Decimal(1000)


def _places(places: str) -> int:
    """Decimal places of a quantum written as text ("0.01" -> 2), computed once per quantum."""
    found = _PLACES.get(places)
    if found is None:
        found = _PLACES[places] = -Decimal(places).as_tuple().exponent  # type: ignore[operator]
    return found


_PLACES: dict[str, int] = {}


def _q(value: Decimal, places: str = "0.01") -> float:
    """A quality figure for JSON: rounded, then a number (its text is exact at that rounding).

    `money.quantize` in one call of `Decimal.quantize`: in a 28-digit context that call
    gives the same exact half-even rounding whenever the result fits (it raises
    InvalidOperation when it does not, or on an infinity: then `money.quantize` decides)."""
    quantum = _QUANTA_OF.get(places)
    if quantum is not None:
        try:
            return float(value.quantize(quantum, context=_CONTEXT))
        except InvalidOperation:
            pass
    return float(quantize(value, _places(places)))


_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, Emax=10**9, Emin=-(10**9))
_QUANTA_OF = {"0.01": Decimal("0.01"), "0.0001": Decimal("0.0001")}


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _ratio(value: Decimal | None, places: str) -> str | None:
    if value is None:
        return None
    return decimal_str(quantize(value, _places(places)))


LEGEND = (
    "flags: rec = recommended (cheapest good enough); ok = good enough (band reaches the bar);"
    " pareto = on the cost-quality frontier; not worth it = extra points cost more than the"
    " ceiling; dom #n = dominated by rank n (cheaper, not significantly worse)"
)


def flags(row: RankRow, ranks: dict[str, int] | None = None) -> list[str]:
    """Short flags of a row; a dominator is named by its rank (#3) when ranks are given."""
    out = []
    if row.self_hosted:
        out.append("self-hosted")
    if row.recommended:
        out.append("rec")
    elif row.good_enough:
        out.append("ok")
    if row.pareto:
        out.append("pareto")
    if row.not_worth_it:
        out.append("not worth it")
    if row.dominated_by:
        out.append(f"dom #{ranks[row.dominated_by]}" if ranks else f"dom {row.dominated_by}")
    return out


def paired_notes(ranking: Ranking) -> list[str]:
    """Which test decided "good enough" for each model, when a paired test decided any."""
    tested = {r.model: r.paired for r in ranking.rows if r.paired is not None}
    if not tested:
        return []
    ref = next(r.model for r in ranking.rows if r.good_enough_test == "reference")
    out = [
        f"good enough decided by a paired non-inferiority test (Tango score test) against {ref}"
        " on the same items, for the models below; by the quality band for the others"
    ]
    for model, p in sorted(tested.items()):
        z = "inf" if p.z == float("inf") else f"{p.z:.2f}"
        out.append(
            f"  {model}: {p.b} items right where {ref} was wrong, {p.c} the reverse, of {p.n};"
            f" difference {p.difference * 100:+.1f} points, margin {p.margin * 100:.1f};"
            f" z {z} {'>' if p.non_inferior else '<='} {p.critical:.2f}:"
            f" {'non-inferior (good enough)' if p.non_inferior else 'not shown non-inferior'}"
        )
    return out


NOTE_NAMES = 12
"""Names shown per note line; the JSON lists every one (an import can add thousands)."""


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:NOTE_NAMES])
    more = len(items) - NOTE_NAMES
    return shown + (f", ... and {more:,} more (--format json lists all)" if more > 0 else "")


def display_notes(ranking: Ranking, options: CompareOptions, result: CompareResult) -> list[str]:
    """What was left out, grouped into a few lines for people (a few names per line)."""
    notes: list[str] = []
    left = result.left_out
    missing_price = sorted(x.label for x in left if x.reason == "no-price")
    if missing_price:
        notes.append(f"no price in force on {options.when}: " + _names(missing_price))
    no_gpu_price = sorted(x.model for x in left if x.reason == "no-gpu-price")
    if no_gpu_price:
        notes.append(
            f"no GPU price in force on {options.when} (self-host options): " + _names(no_gpu_price)
        )
    notes += [
        f"not priced: {x.label}: {x.why}"
        for x in sorted(left, key=lambda x: x.label)
        if x.reason == "no-rate"
    ]
    low = sorted((x.model, x.coverage) for x in left if x.reason == "low-coverage")
    if low:
        notes.append(
            f"not scored, scores cover less than {result.coverage_floor:.0%}"
            " of the profile weight: " + _names([f"{m} ({cover:.0%})" for m, cover in low])
        )
    no_score = sorted(x.model for x in left if x.reason == "no-score")
    if no_score:
        notes.append("no score on the profile's benchmarks: " + _names(no_score))
    if ranking.no_offer:
        notes.append(
            ("no API offer: " if options.volume is None else "no API offer, no self-host option: ")
            + _names(list(ranking.no_offer))
            + (" (see `costcalc budget` for self-hosting)" if options.volume is None else "")
        )
    return notes


def _lower_bound(ranking: Ranking, result: CompareResult) -> str:
    """Warn when the recommended offer's cost leaves out hidden tokens nobody has measured."""
    chosen = next((r for r in ranking.rows if r.recommended), None)
    hidden = result.hidden.get(chosen.model) if chosen else None
    if chosen is None or hidden is None or hidden.basis != "unknown":
        return ""
    return (
        f" Its hidden reasoning tokens are unknown and billed as 0, so {chosen.model}'s cost"
        " is a lower bound: bill your own with --reasoning-tokens N --reasoning-model"
        f" {chosen.model}."
    )


def hidden_json(hidden: HiddenTokens | None) -> dict[str, Any]:
    """A row's hidden reasoning tokens per request (exact decimal string) and their basis:
    "sheet" (the model's sourced figure), "override" (--reasoning-tokens), "unknown" (a
    thinking model with no figure: billed 0), or null (no hidden tokens)."""
    if hidden is None:
        return {
            "hidden_tokens": "0",
            "hidden_tokens_basis": None,
            "hidden_tokens_source": None,
            "hidden_tokens_as_of": None,
        }
    return {
        "hidden_tokens": decimal_str(hidden.tokens),
        "hidden_tokens_basis": hidden.basis,
        "hidden_tokens_source": hidden.source,
        "hidden_tokens_as_of": hidden.as_of.isoformat() if hidden.as_of else None,
    }


def price_json(r: RankRow) -> dict[str, Any]:
    """Where a row's price comes from: the API price period, or the self-host GPU price."""
    cost = r.cost
    if isinstance(cost, SelfHostedCost):
        assert isinstance(r.entry, SelfHostedOffer)
        rep = cost.replica
        option = r.entry.host.option
        return {
            "self_hosted": True,
            "price_as_of": rep.price.as_of.isoformat(),
            "price_source": rep.price.source,
            "price_origin": str(rep.price_origin),
            "price_currency": rep.price.currency,
            "conversion": rep.conversion.describe() if rep.conversion else None,
            "selfhost": {
                "option": option.id,
                "hardware": r.entry.hardware,
                "gpu_price": option.gpu_price,
                "price_per_gpu_hour": decimal_str(rep.price.price_per_gpu_hour),
                "replica_monthly_cost": decimal_str(rep.amount),
                "replica_output_tokens_per_s": decimal_str(cost.replica_throughput),
                "replicas": cost.replicas,
                "monthly_cost": decimal_str(cost.monthly),
                "requests_per_day": decimal_str(cost.requests_per_day),
                "requests_per_month": decimal_str(cost.requests_per_month),
                "peak_factor": decimal_str(cost.peak_factor),
                "throughput_source": option.throughput.source,
                "option_origin": str(r.entry.host.origin),
            },
        }
    choice = cost.choice
    return {
        "self_hosted": False,
        "price_as_of": choice.period.as_of.isoformat(),
        "price_source": choice.period.source,
        "price_origin": str(choice.origin),
        "price_currency": choice.currency,
        "conversion": choice.conversion.describe() if choice.conversion else None,
        "selfhost": None,
    }


def selfhost_notes(ranking: Ranking, currency: str) -> list[str]:
    """One line per self-hosted offer: hardware, replicas and the month behind the price."""
    lines = []
    for r in ranking.rows:
        if isinstance(r.cost, SelfHostedCost) and isinstance(r.entry, SelfHostedOffer):
            c = r.cost
            lines.append(
                f"#{r.rank} {r.model} self-hosted on {r.entry.hardware}"
                f" ({r.entry.host.option.id}): {c.replicas} replica{'s' if c.replicas > 1 else ''}"
                f" x {fmt_money(c.replica.amount, currency)} a month ="
                f" {fmt_money(c.monthly, currency)} for {fmt_tokens(c.requests_per_month)}"
                " requests"
            )
    return lines


def method_note(ranking: Ranking) -> str:
    """How latent qualities were made (the cover column says how much is predicted)."""
    predicted = sum(1 for r in ranking.rows if r.quality.coverage < 1)
    return (
        "quality: latent capability scale (a 2PL fit of every score); a benchmark a model did"
        " not report is predicted, with a wider band; cover = share of the profile weight"
        f" observed ({predicted} of {len(ranking.rows)} offers partly predicted); the bar and"
        " dominance are judged without the prediction's uncertainty"
    )


def part_json(p: Part) -> dict[str, Any]:
    """One benchmark of a model's quality: observed (as published) or predicted."""
    entry = p.entry
    return {
        "benchmark": p.benchmark,
        "status": p.status,
        "weight": decimal_str(p.weight),
        "score": decimal_str(entry.score.score) if entry else None,
        "metric": entry.score.metric if entry else None,
        "normalised": _q(p.value),
        "stderr": _q(p.stderr),
        "uncertainty": p.uncertainty,
        "source": entry.score.source if entry else None,
    }


def money3(value: Decimal, currency: str) -> str:
    """An amount with at least 3 significant digits (per-request costs are small)."""
    places = 2
    if value != 0:
        places = max(2, min(8, -value.adjusted() + 2))
    return fmt_money(value, currency, places=places)


def bar_text(ranking: Ranking, result: CompareResult) -> str:
    if result.good_enough is None:
        return f"bar {ranking.bar:.1f}"
    share = decimal_str(result.good_enough * 100)
    return f"bar {ranking.bar:.1f} = {share}% of best {ranking.best_quality:.1f}"


def workload_text(options: CompareOptions) -> str:
    u = options.usage
    text = f"{fmt_tokens(u.input_tokens)} in/{fmt_tokens(u.output_tokens)} out tokens"
    if u.cached_tokens:
        text += f", {fmt_tokens(u.cached_tokens)} cached"
    return text


_REPEATING = (2, 4, 5, 6, 7, 8, 9, 10)
"""The table's columns whose texts repeat across offers (not the rank, model or quality)."""


def table(
    ranking: Ranking,
    options: CompareOptions,
    result: CompareResult,
) -> Table:
    cur = options.currency
    ranks = {r.label: r.rank for r in ranking.rows}
    rows: list[list[str]] = []
    # Most cells repeat (coverage, flags, multiples, gains, rounded prices): one string per
    # distinct text keeps the table of 100,000 offers about 30 MiB smaller.
    seen: dict[str, str] = {}
    one = seen.setdefault
    for r in ranking.rows:
        q = r.quality
        rows.append(
            [
                str(r.rank),
                r.model,
                r.provider,
                f"{q.value:.1f} ± {options.z * q.stderr:.1f}",
                f"{q.coverage * 100:.0f}%",
                money3(r.cost.total, cur),
                money3(r.cost.total * THOUSAND, cur),
                "" if r.cost_multiple is None else f"{r.cost_multiple:.2f}×",
                "" if r.quality_gain is None else f"{r.quality_gain:+.1f}",
                ""
                if r.marginal_cost_per_point is None
                else money3(r.marginal_cost_per_point * THOUSAND, cur),
                ", ".join(flags(r, ranks)),
            ]
        )
        cells = rows[-1]
        for i in _REPEATING:
            cells[i] = one(cells[i], cells[i])
    w = result.weighting
    title = (
        f"{w.id} profile · {result.quality_method} quality · {bar_text(ranking, result)}"
        f" · {workload_text(options)} · {cur} · {options.when.isoformat()}"
    )
    if options.volume is not None and any(r.self_hosted for r in ranking.rows):
        title += f" · self-hosted at {fmt_tokens(options.volume)} requests/day" + (
            f", peak ×{decimal_str(options.peak_factor)}" if options.peak_factor != 1 else ""
        )
    notes = display_notes(ranking, options, result)
    notes += selfhost_notes(ranking, cur)
    if result.quality_method == "latent" and ranking.rows:
        notes.append(method_note(ranking))
    notes += hidden_tokens_notes(
        result.hidden[r.model] for r in ranking.rows if r.model in result.hidden
    )
    age = price_age_note(
        (
            (r.label, r.cost.choice.period.as_of)
            for r in ranking.rows
            if not isinstance(r.cost, SelfHostedCost)
        ),
        options.when,
    )
    if age:
        notes.append(age)
    notes += paired_notes(ranking)
    if rows:
        notes.append(LEGEND)
    notes.append(ranking.verdict + _lower_bound(ranking, result))
    marks = {
        i: "good" if r.recommended else "dim"
        for i, r in enumerate(ranking.rows)
        if r.recommended or r.dominated_by or r.not_worth_it
    }
    return Table(
        [
            Column("#", "right", priority=10),
            Column("model", no_wrap=True, essential=True),
            Column("provider", no_wrap=True, essential=True, stack_under="model"),
            Column("quality", "right", no_wrap=True, priority=9),
            Column("cover", "right", priority=4),
            Column("/request", "right", essential=True),
            Column("/1k req", "right", priority=5),
            Column("×rec", "right", priority=6),
            Column("gain", "right", priority=2),
            Column("/point/1k", "right", priority=1),
            Column("flags", priority=8),
        ],
        rows,
        title=title,
        notes=notes,
        marks=marks,
    )


def model_json(r: RankRow, result: CompareResult) -> dict[str, Any]:
    """One ranked offer of the JSON document."""
    q = r.quality
    return {
        "model": r.model,
        "provider": r.provider,
        "label": r.label,
        "rank": r.rank,
        "quality": _q(q.value),
        "quality_low": _q(q.low),
        "quality_high": _q(q.high),
        "quality_stderr": _q(q.stderr),
        "bar_low": _q(q.bar_low),
        "bar_high": _q(q.bar_high),
        "coverage": _q(q.coverage, "0.0001"),
        "cost_per_request": decimal_str(r.cost.total),
        "cost_per_1000_requests": decimal_str(r.cost.total * THOUSAND),
        "cost_multiple": _ratio(r.cost_multiple, "0.0001"),
        "quality_gain": None if r.quality_gain is None else _q(r.quality_gain),
        "marginal_cost_per_point": _ratio(r.marginal_cost_per_point, "1e-12"),
        "good_enough": r.good_enough,
        "good_enough_test": r.good_enough_test,
        "paired_test": r.paired.payload() if r.paired is not None else None,
        "recommended": r.recommended,
        "pareto": r.pareto,
        "dominated_by": r.dominated_by,
        "not_worth_it": r.not_worth_it,
        "reasoning_tokens": decimal_str(r.cost.usage.reasoning_tokens),
        **hidden_json(result.hidden.get(r.model)),
        **price_json(r),
        "quality_method": q.method,
        "benchmarks": [part_json(p) for p in q.parts],
        "missing": list(q.missing),
        "predicted": [p.benchmark for p in q.parts if p.status == "predicted"],
        "unpredicted": list(q.unpredicted),
    }


_ROW_KEYS = (
    "model", "provider", "label", "rank", "quality", "quality_low", "quality_high",
    "quality_stderr", "bar_low", "bar_high", "coverage", "cost_per_request",
    "cost_per_1000_requests", "cost_multiple", "quality_gain", "marginal_cost_per_point",
    "good_enough", "good_enough_test", "paired_test", "recommended", "pareto", "dominated_by",
    "not_worth_it", "reasoning_tokens", "hidden_tokens", "hidden_tokens_basis",
    "hidden_tokens_source", "hidden_tokens_as_of", "self_hosted", "price_as_of", "price_source",
    "price_origin", "price_currency", "conversion", "selfhost", "quality_method", "benchmarks",
    "missing", "predicted", "unpredicted",
)  # fmt: skip
"""The keys of `model_json`, in its order (a test holds the two together)."""
_PART_KEYS = (
    "benchmark", "status", "weight", "score", "metric", "normalised", "stderr", "uncertainty",
    "source",
)  # fmt: skip
_ROW_PREFIXES = tuple(encode_basestring(k) + ": " for k in _ROW_KEYS)
_PART_PREFIXES = tuple(encode_basestring(k) + ": " for k in _PART_KEYS)


def _text(value: Any, newline: str) -> str:
    """The JSON text `fastjson.write_indented` gives a value at the indent of `newline`."""
    try:
        return scalar_text(value)
    except NotPlain:
        pass
    if type(value) is list and value and all(type(v) is str for v in value):
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(map(encode_basestring, value)) + newline + "]"
    return _piece(value, newline)


def _qt(value: Decimal, places: str = "0.01") -> str:
    """The JSON text of `_q(value, places)`."""
    quantum = _QUANTA_OF.get(places)
    if quantum is not None:
        try:
            number = float(value.quantize(quantum, context=_CONTEXT))
            if number - number == 0:  # finite
                return float.__repr__(number)
        except InvalidOperation:
            pass
    return _text(_q(value, places), "")


_ROW_TEMPLATES: dict[str, str] = {}


def _row_template(newline: str) -> str:
    """A row's text with a `%s` for each value (`model_text`), at the indent of `newline`:
    one formatting call per offer instead of a key-value join (half the time)."""
    found = _ROW_TEMPLATES.get(newline)
    if found is None:
        inner = newline + "  "
        text = "{" + inner + ("," + inner).join(p + "\0" for p in _ROW_PREFIXES) + newline + "}"
        found = _ROW_TEMPLATES[newline] = text.replace("%", "%%").replace("\0", "%s")
    return found


class TextMemo:
    """The JSON texts of equal numbers, made once per document: a large comparison repeats
    the same normalised scores, their errors, weights and coverages in many offers (at
    10,000 synthetic offers: 2,143 distinct texts for 60,000 normalised scores and errors).

    `decimal_str` of a Decimal depends only on its value (trailing zeros and the sign of
    zero are dropped), so its text is keyed by the value. A quality figure's text (`_qt`)
    keeps the sign of a zero (-0.0), so a zero is never looked up: 0 and -0 are equal keys.
    """

    __slots__ = ("decimals", "hidden", "parts", "q2", "q4")

    def __init__(self) -> None:
        self.decimals: dict[Decimal, str] = {}
        self.q2: dict[Decimal, str] = {}
        self.q4: dict[Decimal, str] = {}
        self.parts: dict[tuple[Any, ...], tuple[str, str, str]] = {}
        self.hidden: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def part(self, p: Part, deeper: str) -> str:
        """The text of `part_json(p)` at the indent of `deeper` (as `_part_texts` gives its
        values): the fixed pieces of a benchmark, status, weight, metric, uncertainty and
        source made once, the score, normalised value and error put between them."""
        entry = p.entry
        if entry is None:
            score, metric, source = "null", None, None
        else:
            found = entry.score
            score, metric, source = self.decimal(found.score), found.metric, found.source
        key: tuple[Any, ...] = (deeper, p.benchmark, p.status, p.weight, metric, source)
        key += (p.uncertainty, score)
        try:
            pieces = self.parts.get(key)
        except TypeError:  # an unhashable value: made afresh
            pieces, key = None, ()
        if pieces is None:
            texts = _part_texts(p, self)
            sep = "," + deeper + "  "
            items = [prefix + text for prefix, text in zip(_PART_PREFIXES, texts, strict=True)]
            pieces = (
                "{" + deeper + "  " + sep.join(items[:4]) + sep + _PART_PREFIXES[4] + texts[4]
                + sep + _PART_PREFIXES[5],
                sep + _PART_PREFIXES[6],
                sep + sep.join(items[7:]) + deeper + "}",
            )  # fmt: skip
            if key:
                self.parts[key] = pieces
        head, middle, tail = pieces
        return head + self.quality(p.value) + middle + self.quality(p.stderr) + tail

    def hidden_texts(self, hidden: HiddenTokens, inner: str) -> tuple[str, ...]:
        """The texts of `hidden_json(hidden)`'s values at the indent of `inner`."""
        key = (inner, hidden.tokens, hidden.basis, hidden.source, hidden.as_of)
        try:
            found = self.hidden.get(key)
        except TypeError:
            return tuple(_text(v, inner) for v in hidden_json(hidden).values())
        if found is None:
            found = self.hidden[key] = tuple(_text(v, inner) for v in hidden_json(hidden).values())
        return found

    def decimal(self, value: Decimal) -> str:
        """`encode_basestring(decimal_str(value))`."""
        try:
            return self.decimals[value]
        except KeyError:
            text = self.decimals[value] = encode_basestring(decimal_str(value))
            return text
        except TypeError:  # a signalling NaN cannot be hashed
            return encode_basestring(decimal_str(value))

    def quality(self, value: Decimal) -> str:
        """`_qt(value)` (two places)."""
        if not value:
            return _qt(value)
        try:
            return self.q2[value]
        except KeyError:
            text = self.q2[value] = _qt(value)
            return text
        except TypeError:
            return _qt(value)

    def share(self, value: Decimal) -> str:
        """`_qt(value, "0.0001")`."""
        if not value:
            return _qt(value, "0.0001")
        try:
            return self.q4[value]
        except KeyError:
            text = self.q4[value] = _qt(value, "0.0001")
            return text
        except TypeError:
            return _qt(value, "0.0001")


def model_text(
    r: RankRow, result: CompareResult, newline: str, memo: TextMemo | None = None
) -> str:
    """The text of `model_json(r, result)` as `fastjson.write_indented` writes it at the indent
    of `newline`, made without the dict (`compare -f json` writes every offer this way).
    `memo`: texts of numbers shared by the offers of one document."""
    if memo is None:
        memo = TextMemo()
    q = r.quality
    cost = r.cost
    total = cost.total
    inner = newline + "  "
    hidden = result.hidden.get(r.model)
    s = encode_basestring
    parts = q.parts
    if parts:
        deeper = inner + "  "
        part = memo.part
        benchmarks = "[" + deeper + ("," + deeper).join([part(p, deeper) for p in parts])
        benchmarks += inner + "]"
    else:
        benchmarks = "[]"
    if isinstance(cost, SelfHostedCost):
        price = [_text(v, inner) for v in price_json(r).values()]
    else:
        choice = cost.choice
        conversion = choice.conversion
        period = choice.period
        source = period.source
        currency = choice.currency
        price = [
            "false",
            s(period.as_of.isoformat()),
            s(source) if type(source) is str else _text(source, inner),
            s(str(choice.origin)),
            s(currency) if type(currency) is str else _text(currency, inner),
            "null" if conversion is None else s(conversion.describe()),
            "null",
        ]
    predicted = [p.benchmark for p in parts if p.status == "predicted"]
    multiple = r.cost_multiple
    gain = r.quality_gain
    marginal = r.marginal_cost_per_point
    dominated_by = r.dominated_by
    missing = q.missing
    unpredicted = q.unpredicted
    values = [
        s(r.model),
        s(r.provider),
        s(r.label),
        int.__repr__(r.rank),
        _qt(q.value),  # an offer's own figures are rarely equal to another's: not memoised
        _qt(q.low),
        _qt(q.high),
        _qt(q.stderr),
        _qt(q.bar_low),
        _qt(q.bar_high),
        memo.share(q.coverage),
        s(decimal_str(total)),
        s(decimal_str(total * THOUSAND)),
        "null" if multiple is None else s(decimal_str(quantize(multiple, 4))),
        "null" if gain is None else _qt(gain),
        "null" if marginal is None else s(decimal_str(quantize(marginal, 12))),
        "true" if r.good_enough else "false",
        s(r.good_enough_test),
        "null" if r.paired is None else _text(r.paired.payload(), inner),
        "true" if r.recommended else "false",
        "true" if r.pareto else "false",
        "null" if dominated_by is None else _text(dominated_by, inner),
        "true" if r.not_worth_it else "false",
        memo.decimal(cost.usage.reasoning_tokens),
        *(('"0"', "null", "null", "null") if hidden is None else memo.hidden_texts(hidden, inner)),
        *price,
        s(q.method),
        benchmarks,
        "[]" if not missing else _text(list(missing), inner),
        _text(predicted, inner) if predicted else "[]",
        "[]" if not unpredicted else _text(list(unpredicted), inner),
    ]
    return _row_template(newline) % tuple(values)


def _part_texts(p: Part, memo: TextMemo) -> list[str]:
    """The values of `part_json(p)` as JSON texts (all scalars)."""
    entry = p.entry
    s = encode_basestring
    if entry is None:
        score = metric = source = "null"
    else:
        found = entry.score
        score = memo.decimal(found.score)
        metric = found.metric
        metric = s(metric) if type(metric) is str else _text(metric, "")
        source = found.source
        source = s(source) if type(source) is str else _text(source, "")
    return [
        s(p.benchmark),
        s(p.status),
        memo.decimal(p.weight),
        score,
        metric,
        memo.quality(p.value),
        memo.quality(p.stderr),
        s(p.uncertainty),
        source,
    ]


def payload(
    ranking: Ranking,
    options: CompareOptions,
    result: CompareResult,
    lazy: bool = False,
) -> dict[str, Any]:
    """The JSON document of a comparison. With `lazy`, its "models" is a
    `costcalc.render.fastjson.Rows` that makes each offer's dict as it is written
    (`render.tables.write_json`: the same text), so they are never all held at once."""
    u = options.usage
    w = result.weighting
    c = ranking.ceiling
    models: Any
    if lazy:
        from costcalc.render.fastjson import Rows

        memo = TextMemo()
        models = Rows(
            ranking.rows,
            lambda r: model_json(r, result),
            lambda r, newline: model_text(r, result, newline, memo),
        )
    else:
        models = [model_json(r, result) for r in ranking.rows]
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": options.when.isoformat(),
        "currency": options.currency,
        "workload": {
            "input_tokens": decimal_str(u.input_tokens),
            "cached_tokens": decimal_str(u.cached_tokens),
            "output_tokens": decimal_str(u.output_tokens),
            "reasoning_tokens": decimal_str(u.reasoning_tokens),
            "reasoning_tokens_added": {
                k: decimal_str(h.tokens) for k, h in sorted(result.hidden.items()) if h.billed
            },
        },
        "profile": {
            "id": w.id,
            "name": w.name,
            "weights": {k: decimal_str(v) for k, v in sorted(w.weights.items())},
            "min_coverage": decimal_str(w.min_coverage),
        },
        "quality": quality_json(result),
        "self_hosting": None
        if options.volume is None
        else {
            "requests_per_day": decimal_str(options.volume),
            "peak_factor": decimal_str(options.peak_factor),
        },
        "bar": {
            "value": _q(ranking.bar),
            "min_quality": _opt(options.min_quality),
            "good_enough": _opt(result.good_enough),
            "best_quality": _q(ranking.best_quality),
            "band_z": decimal_str(options.z),
        },
        "ceiling": {
            "max_multiple_per_point": _opt(c.max_multiple_per_point),
            "max_cost_per_point": _opt(c.max_cost_per_point),
            "requests_per_month": _opt(c.requests_per_month),
        },
        "recommended": ranking.recommended.label if ranking.recommended else None,
        "verdict": ranking.verdict,
        "models": models,
        "notes": list(ranking.notes),
        "not_priced": dict(sorted(ranking.not_priced.items())),
        "not_scored": dict(sorted(ranking.unscored.items())),
        "no_api_offer": list(ranking.no_offer),
    }


def quality_json(result: CompareResult) -> dict[str, Any]:
    """The quality method, the coverage it needed, and a summary of the latent fit."""
    fit = result.fit
    return {
        "method": result.quality_method,
        "coverage_floor": decimal_str(result.coverage_floor),
        "fit": None
        if fit is None
        else {
            "models": len(fit.models),
            "benchmarks": len(fit.benchmarks),
            "rho": round(fit.rho, 6),
            "steps": fit.steps,
            "converged": fit.converged,
            "left_out": [{"model": m, "benchmark": b, "why": why} for m, b, why in fit.left_out],
        },
    }


CSV_FIELDS = (
    "rank",
    "model",
    "provider",
    "quality",
    "quality_low",
    "quality_high",
    "coverage",
    "cost_per_request",
    "cost_per_1000_requests",
    "cost_multiple",
    "quality_gain",
    "marginal_cost_per_point",
    "good_enough",
    "recommended",
    "pareto",
    "dominated_by",
    "not_worth_it",
    "hidden_tokens",
    "hidden_tokens_basis",
    "self_hosted",
)


def csv_table(data: dict[str, Any]) -> Table:
    """The JSON models as a flat table of exact values, for spreadsheets (`--format csv`)."""
    return records_table(data["models"], CSV_FIELDS)

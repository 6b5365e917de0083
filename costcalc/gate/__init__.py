"""The CI gate on procurement files, as one library call: `check(paths, ...) -> CheckResult`.

    from costcalc.gate import check
    result = check(["procurement/"], when=datetime.date(2025, 6, 1))
    result.failed, result.findings, result.exit_code

Modules: `load` (untrusted files, read safely), `findings` (typed results),
`registry` (every rule declared once), `context` (the facts of one decision,
computed lazily), `checker` (rules -> located, graded, waived findings),
`diff` (`--base` cost change and guardrails), `rules/` (one module per family).
The core never prints, exits or imports typer or rich; `costcalc check` parses,
calls `check` once, renders and picks the exit code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.gate.findings import CheckResult, DecisionResult, Finding, Hit, WaiverStatus
from costcalc.gcpause import paused_gc

if TYPE_CHECKING:
    from costcalc.catalog import Catalog


def check(
    paths: Sequence[Path | str],
    *,
    when: dt.date,
    catalog: Catalog | None = None,
    pricing: Sequence[Path | str] = (),
    include_bundled: bool = True,
    cache_dir: Path | None = None,
    base: Path | str | None = None,
    currency: str | None = None,
    max_increase: Decimal | None = None,
    max_increase_pct: Decimal | None = None,
    fail_on_warn: bool = False,
) -> CheckResult:
    """Check procurement files (and, with `base`, their cost change) on a day.

    The procurement files (and the base) are read first, so a hostile file fails
    (InputError) before the catalog is loaded; the catalog is `catalog`, or the
    bundled sheets plus `pricing` folders. Raises InputError for invalid input
    (exit 2); otherwise returns the result (`result.exit_code`: 0 passed, 1 failed).
    """
    with paused_gc():
        return _check(
            paths,
            when=when,
            catalog=catalog,
            pricing=pricing,
            include_bundled=include_bundled,
            cache_dir=cache_dir,
            base=base,
            currency=currency,
            max_increase=max_increase,
            max_increase_pct=max_increase_pct,
            fail_on_warn=fail_on_warn,
        )


def _check(
    paths: Sequence[Path | str],
    *,
    when: dt.date,
    catalog: Catalog | None,
    pricing: Sequence[Path | str],
    include_bundled: bool,
    cache_dir: Path | None,
    base: Path | str | None,
    currency: str | None,
    max_increase: Decimal | None,
    max_increase_pct: Decimal | None,
    fail_on_warn: bool,
) -> CheckResult:
    from costcalc.errors import InputError
    from costcalc.gate.load import Loading, load_procurement

    if base is None and (max_increase is not None or max_increase_pct is not None):
        raise InputError("--max-increase and --max-increase-pct need --base")
    for name, limit in (("--max-increase", max_increase), ("--max-increase-pct", max_increase_pct)):
        if limit is not None and (not limit.is_finite() or limit < 0):
            raise InputError(f"{name} must be a number >= 0, got {limit}")
    roots = [Path(p) for p in paths]
    if not roots:
        raise InputError("no procurement file or folder given")
    loading = Loading(roots)  # first: the parse workers start before the imports below
    from costcalc.gate.checker import Checker, CheckRun
    from costcalc.gate.context import Session
    from costcalc.gate.diff import diff_costs

    failed: InputError | None = None
    if catalog is None and loading.parallel:
        # Worker processes are parsing the files: load the catalog meanwhile. A problem in
        # the files is still reported first, and alone, as when they are read before it.
        try:
            catalog = _load_catalog(pricing, include_bundled, cache_dir)
        except InputError as exc:
            failed = exc
        except BaseException:
            loading.close()
            raise
    run: CheckRun | None = None
    deferred: Exception | None = None
    if loading.parallel and catalog is not None:
        # Check each file as it arrives, while the workers parse the next ones. A problem
        # in any file, then in the base, still comes first; a decision the catalog cannot
        # read (an unknown profile) is raised after them, as when checked afterwards.
        session = Session(catalog, when)
        checker = Checker(session)
        run = checker.begin()
        docs = []
        for doc in loading.stream():
            docs.append(doc)
            if deferred is None and not loading.problems:
                try:
                    run.add(doc)
                except Exception as exc:  # raised below, in the serial order
                    deferred = exc
    else:
        docs = loading.result()
    base_root = None if base is None else Path(base)
    base_docs = None if base_root is None else load_procurement([base_root], allow_empty=True)
    if failed is not None:
        raise failed
    if deferred is not None:
        raise deferred
    if run is None:
        if catalog is None:
            catalog = _load_catalog(pricing, include_bundled, cache_dir)
        session = Session(catalog, when)
        checker = Checker(session)
        result = checker.check(docs)
    else:
        result = run.result()
    result.fail_on_warn = fail_on_warn
    if base_root is not None and base_docs is not None:
        base_checked = checker.check(base_docs)  # the same session: its caches are shared
        new_roots = [(d, _root_of(d.file, roots)) for d in result.decisions]
        old_roots = [(d, base_root) for d in base_checked.decisions]
        codes = {d.currency for d in result.decisions + base_checked.decisions}
        cur = currency or (codes.pop() if len(codes) == 1 else "USD")
        result.diff = diff_costs(
            session,
            old_roots,
            new_roots,
            cur,
            max_increase=max_increase,
            max_increase_pct=max_increase_pct,
        )
        result.findings.extend(result.diff.findings)
    result.comparisons = session.comparisons
    return result


def _load_catalog(
    pricing: Sequence[Path | str], include_bundled: bool, cache_dir: Path | None
) -> Catalog:
    from costcalc.catalog import load_catalog

    return load_catalog(
        [Path(p) for p in pricing], include_bundled=include_bundled, cache_dir=cache_dir
    )


def _root_of(file: str, roots: list[Path]) -> Path:
    for root in roots:
        if root.is_dir() and Path(file).is_relative_to(root):
            return root
    return Path(file)


__all__ = [
    "CheckResult",
    "DecisionResult",
    "Finding",
    "Hit",
    "WaiverStatus",
    "check",
    "paused_gc",
]

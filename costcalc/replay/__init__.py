"""`costcalc replay`: reprice usage logs exactly, and the same traffic on every good-enough offer.

One public call: `replay(paths, catalog=..., ...) -> ReplayResult`. The engines
(DuckDB, Spark) are imported only when a replay runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costcalc.replay.counterfactual import CounterfactualOptions
    from costcalc.replay.engines import EngineName
    from costcalc.replay.formats import LogFormat
    from costcalc.replay.result import ReplayResult, payload
    from costcalc.replay.run import replay

__all__ = [
    "CounterfactualOptions",
    "EngineName",
    "LogFormat",
    "ReplayResult",
    "payload",
    "replay",
]

_WHERE = {
    "CounterfactualOptions": "costcalc.replay.counterfactual",
    "EngineName": "costcalc.replay.engines",
    "LogFormat": "costcalc.replay.formats",
    "ReplayResult": "costcalc.replay.result",
    "payload": "costcalc.replay.result",
    "replay": "costcalc.replay.run",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)

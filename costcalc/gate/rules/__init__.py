"""The built-in rules of the gate, one module per family (importing this package registers them).

Registration order, the order of the imports below, is the order of the
README's table and of the SARIF rule list.
"""

# isort: off
from costcalc.gate.rules import offer  # noqa: F401  (unknown-model, no-current-price)
from costcalc.gate.rules import money  # noqa: F401  (over-budget, stale-price, rate-limit)
from costcalc.gate.rules import quality  # noqa: F401  (below-quality-bar, stale-score)
from costcalc.gate.rules import alternatives  # noqa: F401  (dominated, cost-multiple, not-worth-it)
from costcalc.gate.rules import constraints  # noqa: F401  (licence, open weights, country)
from costcalc.gate.rules import guardrails  # noqa: F401  (cost-increase, applied by the diff)
# isort: on

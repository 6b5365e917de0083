"""Score feeds -> costcalc `kind: scores` sheets.

A score feed is one module here (`llm_stats`; LMArena or Epoch AI would be one
more) that reads its own data and yields `FeedScore` rows: the feed's model and
benchmark ids, the value on the benchmark's scale, the metric, source, date and
who measured it. `common.build_sheet` does the rest for every feed alike: it
files each row under costcalc's canonical model id (costcalc.identity) and
benchmark id (the feed module's mapping table, with LiveCodeBench windows
resolved from the row's text), keeps one score per model and benchmark, and
counts what stayed unmapped.
"""

"""Lookalike leads (issue #15 part 2): which leads without a purchase look like the best
customers. `features` (what a lead had at lead time), `best` (who counts as best), `model`
(one-hot + logistic regression, time-split evaluation, reasons), `fit` (fit + store),
`reads` (what the page and the CLI show). Definitions: docs/lookalike.md."""

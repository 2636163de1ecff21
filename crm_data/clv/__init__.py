"""P(alive) and expected value per customer: BG/NBD for the purchases, Gamma-Gamma for the
spend per purchase (docs/clv.md). model.py: the statistics (no database); rfm.py: frequency /
recency / age from the orders; fit.py: fit, holdout check, scores, storage; bands.py: the
P(alive) bands (filter, Segments dimension); reads.py: what the pages show; nightly.py: the
daily refit."""

"""P(alive) and expected value per customer: BG/NBD for the purchases, Gamma-Gamma for the
spend per purchase (docs/clv.md). model.py holds the statistics (no database), rfm.py reads
frequency / recency / age from the orders, fit.py fits, scores and stores, reads.py serves
the pages."""

"""The business's own rules and formats, pure (no database session): Vietnamese text
folding, phone numbers, provinces and regions, business time, periods and buckets, number and
date formatting, the labels' definitions (active, at risk, churned, RFM), spreadsheet cells, and
the SQL date arithmetic written once per dialect."""

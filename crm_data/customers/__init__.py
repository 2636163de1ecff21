"""Reads and small services around the customer list: the list and its query (listing), one
customer's record (detail), the chart-to-customers drill-down, saved segments, and the export."""

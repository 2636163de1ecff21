"""The customer WHERE clause, in one place: the filter object (customer_filter) and the clause
every report, the list, the export and the drill-down use, scope first (where)."""

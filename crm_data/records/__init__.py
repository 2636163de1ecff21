"""A customer record beyond its columns: field validation, derived columns, tags, search text,
the SQL that classifies a row (churn reason, P(alive) band), and what every write shares
(writing: the errors a write raises, the editor check)."""

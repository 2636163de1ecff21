"""Duplicate customers: find likely pairs (score.py, finder.py) and merge them, undoably
(children.py, merge.py). The customer form's duplicate check (crm_data.dedupe.form_check) scores
its candidates with the same rules (score.compare)."""

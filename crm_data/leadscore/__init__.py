"""Lead scoring: the questionnaire as data (questionnaire), answers → score → grade hot / warm /
cold with the explanation point by point (scoring), and whether grades predict wins (report)."""

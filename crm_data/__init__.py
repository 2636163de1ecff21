"""crm-dashboard data layer: the single source of every number the app shows.

Never imports streamlit: the CLI, the benchmark and the pages all call the same functions.
"""

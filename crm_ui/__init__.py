"""Streamlit-side helpers shared by the pages: session state, language, cached calls into
crm_data, the common filter and period widgets, charts and downloads. No SQL here."""

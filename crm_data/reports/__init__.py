"""Report queries: each aggregates in the database and returns a small frame or dataclass.

The pages draw these and `crm report NAME` prints them; see crm_data.reports.registry.
"""

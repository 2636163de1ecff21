"""Who is acting: roles and the customers each may see (scope), sign-in (auth), browser
sessions, sign-in throttling, and audited refusals (access)."""

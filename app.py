"""The server entry: `streamlit run app.py` (make run) serves dashboard.py together with the
sign-in cookie routes and the security headers of crm_ui/server.py. Streamlit finds the
module-level `app` below and runs it as an ASGI app."""

import streamlit as st

from crm_ui import server, warmup

# Before the first session: the pages' modules loaded once, then kept out of the full garbage
# collection Streamlit runs after every script run (crm_ui/warmup.py).
warmup.preload_and_freeze()

app = st.App("dashboard.py", routes=server.routes(), middleware=server.middleware())

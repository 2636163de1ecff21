"""The server entry: `streamlit run app.py` (make run) serves dashboard.py together with the
sign-in cookie routes and the security headers of crm_ui/server.py. Streamlit finds the
module-level `app` below and runs it as an ASGI app."""

import streamlit as st

from crm_ui import server

app = st.App("dashboard.py", routes=server.routes(), middleware=server.middleware())

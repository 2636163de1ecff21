"""This session's own writes against a lagging read replica (crm_data.storage.replica).

After a write (cache.clear) the primary's WAL position is kept in the session; the next
report reads wait up to replica.WAIT_SECONDS for the replica to replay it, and while it has
not, the page says its figures may be a few seconds behind instead of passing old numbers
off as current. Without a replica nothing is kept and nothing waits."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_data.storage import replica
from crm_ui import state
from crm_ui.i18n import t

PENDING_KEY = "_replica_pending"  # {"pos": primary WAL position, "waited": bool}


def note_write() -> None:
    """After this session's write: remember the primary's position to wait for."""
    if get_script_run_ctx() is None or not replica.has_replica(state.read_engine()):
        return
    position = replica.write_position(state.engine())
    if position is not None:
        st.session_state[PENDING_KEY] = {"pos": position, "waited": False}


def settle() -> bool:
    """True when the report reads of this run see this session's last write. Waits once per
    write (a replica stuck for minutes must not cost every click two seconds)."""
    if get_script_run_ctx() is None:
        return True
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return True
    timeout = 0.0 if pending["waited"] else replica.WAIT_SECONDS
    if replica.wait_for(state.read_engine(), pending["pos"], timeout) == replica.CAUGHT_UP:
        st.session_state.pop(PENDING_KEY, None)
        return True
    pending["waited"] = True
    return False


def notice() -> None:
    """At the top of the page: the honest word when the replica has not caught up."""
    if not settle():
        st.info(t("replica.behind"), icon=":material/schedule:")

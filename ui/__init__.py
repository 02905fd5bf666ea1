"""Streamlit-only helpers shared by the pages: session-state keys, cached services, identity, rendering."""

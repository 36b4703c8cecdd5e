"""The designer's pages: Streamlit scripts run by designer/streamlit_app.py through st.navigation."""

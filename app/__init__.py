"""The Streamlit scorecard: data access, charts and the page."""

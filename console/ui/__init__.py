"""ui layer (see STYLE.md)."""

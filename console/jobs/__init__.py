"""jobs layer (see STYLE.md)."""

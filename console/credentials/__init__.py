"""credentials layer (see STYLE.md)."""

"""contacts layer (see STYLE.md)."""

"""The staff desk (Django admin, themed with unfold)."""

"""The resident portal's views: thin, they call the portal's services and selectors."""

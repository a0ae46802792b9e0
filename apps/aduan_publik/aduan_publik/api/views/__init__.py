"""The API's views: thin, each one access check (through access.py) and one selector or service."""

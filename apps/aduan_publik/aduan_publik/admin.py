from .desk import admin  # noqa: F401  (registers the desk's model admins)

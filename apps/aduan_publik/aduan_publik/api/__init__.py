"""The integrator API: REST at ``/api/v1/`` (Django REST Framework, OpenAPI by drf-spectacular).

Tokens (:mod:`.models`, :mod:`.tokens`) act as their user through :mod:`aduan_publik.access`,
narrowed by scopes and an optional OPD. Views stay thin: reads through selectors and the access
module, writes through the same services as the desk. See docs/api.md.

Nothing is imported here: the channel registry imports :mod:`.channel` on its own.
"""

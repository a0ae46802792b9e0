"""Open311 GeoReport v2 at ``/open311/v2/`` (discovery at ``/open311/discovery.json``), JSON and XML.

Existing 311 apps and FixMyStreet-style clients file to the city here: ``services`` are the
categories, ``POST requests`` (with ``api_key``, a token with ``complaints:write``) opens a
complaint through the API intake, ``GET requests`` lists what the public portal lists (or, with
an ``api_key``, what that token may read). Field by field as the published specification; see
docs/api.md for the mapping.
"""

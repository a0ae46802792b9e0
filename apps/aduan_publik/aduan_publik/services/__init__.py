"""Writes. Every function is keyword-only, atomic and records an audit event.

Views, the desk, jobs and channel adapters call these; none of them changes a complaint
any other way.
"""

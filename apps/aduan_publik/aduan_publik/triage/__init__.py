"""Smart triage (issue 15): OPD/category suggestions, area recognition, duplicate candidates, spam screening.

Everything runs on the site's own machine: the model is trained from the starter set shipped in
``triage/data/`` or from the site's verified history, and stored under the site folder.
Modules: ``text`` (normalisation), ``model`` (features, classifiers), ``store`` (persistence per
site, training), ``gazetteer`` (areas in the text), ``duplicates``, ``spam``, ``evaluate`` (the
``triage-eval`` command), ``services``/``selectors`` (writes and reads), ``jobs`` (intake and nightly).
"""

# Labels that are not OPD codes: outside the city's authority, and not a complaint at all.
NOT_AUTHORITY = "BUKAN_WEWENANG"
NOT_A_COMPLAINT = "NONE"

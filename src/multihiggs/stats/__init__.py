"""multihiggs.stats: κλ constraints from reconstructed HH events.

observables (Higgs candidates, m_HH, selection-DNN inputs) -> dnn_selection (the event selection of methods
without a classification head) -> templates (selected histograms, NNLO-normalised
signal, QCD with MC statistics) -> morphing (exact quadratic in κλ) -> model (pyhf workspace; numpy twin in
likelihood) -> scan (profile likelihood and CLs on Asimov data) -> equivalent_luminosity, limit_tables, figures.
CLI: ``python -m multihiggs.stats templates|scan|tables|figures``.
"""

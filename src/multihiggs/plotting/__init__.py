"""multihiggs.plotting: figures from the evaluation JSON files, one module per figure family.

``pt_dependence`` (purity/efficiency vs pT), ``jet_multiplicity``, ``masses`` (signal masses, QCD sculpting),
``mass_plane``, ``kl_dependence``, ``btag_upgrade``, ``roc``; shared ``style``, ``draw`` and ``methods``
(names and colours). Command line: ``python -m multihiggs.plotting.figures NAME --inputs … -o FIG.pdf``.
"""

"""multihiggs.evaluate: reconstruction, sculpting and classification metrics of the methods (the metric definitions
of spanet_hh_hhh_2024 and li2023hhh, docs/sources.md).

Modules: ``matching`` (candidates vs targets), ``metrics`` (purity, efficiency, event/H purity), ``binomial``
(intervals), ``candidates`` and ``masses`` (candidate kinematics and mass histograms), ``sculpting`` (QCD mass
sculpting), ``classification`` (ROC/AUC/accuracy), ``summary`` (one JSON document per method and sample),
``inputs`` and ``jsonio`` (I/O at the edges), ``tables`` (Markdown/LaTeX tables). Command lines:
``python -m multihiggs.evaluate``, ``python -m multihiggs.evaluate.sculpting``,
``python -m multihiggs.evaluate.classification``, ``python -m multihiggs.evaluate.tables``.
"""

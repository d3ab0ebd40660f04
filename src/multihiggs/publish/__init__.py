"""multihiggs.publish: the workflow's results in the shapes publications need.

``hepdata_purity`` and ``hepdata_kl`` (HEPData tables of the purity figures and the κλ scans and intervals),
``hepdata_submission`` (the submission directory and tarball, validated), ``hepdata`` (its command line);
``latex_macros`` (valid macro names and value formats), ``numbers`` (headline numbers as ``\\newcommand`` lines).
Command lines: ``python -m multihiggs.publish.hepdata``, ``python -m multihiggs.publish.numbers``.
"""

"""Reproduction table: every quantitative claim of the seed documents beside our value, with a verdict.

- :mod:`~multihiggs.reproduction.catalogue`: the claims as data (``config/seed_claims.yaml``);
- :mod:`~multihiggs.reproduction.expressions`, :mod:`~multihiggs.reproduction.paths`,
  :mod:`~multihiggs.reproduction.measurement`: how a claim is measured from our result files;
- :mod:`~multihiggs.reproduction.sources`: which files, and reading them;
- :mod:`~multihiggs.reproduction.verdict`, :mod:`~multihiggs.evaluate.seed_spread`: verdict logic, training-seed spread;
- :mod:`~multihiggs.reproduction.judge`, :mod:`~multihiggs.reproduction.writers`: rows, Markdown/LaTeX/JSON.
"""

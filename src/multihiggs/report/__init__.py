"""multihiggs.report: pages of the Snakemake HTML report (``snakemake --report``) that are not figures.

``markdown`` (our tables' Markdown as HTML: the report shows HTML inline, Markdown only as a download) and
``overview`` (the page the report opens with: the headline κλ intervals and, when built, the reproduction table).
Figure captions live in :mod:`multihiggs.plotting.captions`.
"""

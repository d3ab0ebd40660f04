"""Shared, session-scoped inputs of the parton-level generator tests (a coarse table builds in ~1 s)."""

import pytest

from multihiggs.generate.parton import FormFactorTable, PartonPdf, build_form_factor_table, build_gluon_pdf_from_pythia

# CI-sized table: the smallest size that still reproduces the published LO kappa_lambda ratios.
COARSE_TABLE = {"n_mass": 48, "n_cos": 3, "mass_max_gev": 2000.0, "quadrature_order": 12}


@pytest.fixture(scope="session")
def gluon_pdf() -> PartonPdf:
    return build_gluon_pdf_from_pythia()


@pytest.fixture(scope="session")
def coarse_table() -> FormFactorTable:
    return build_form_factor_table(125.0, 173.0, **COARSE_TABLE)

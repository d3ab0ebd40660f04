"""Parton-level generators: gg -> HH at LO with exact top-mass dependence, gg -> HHH (damped-HEFT model).

Typical use::

    pdf = build_gluon_pdf_from_pythia()
    table = build_form_factor_table(125.0, 173.0)          # cache with table.save(path)
    events = generate_hh_events(table, 1.0, 1.0, 10_000, 13_000.0, pdf, np.random.default_rng(1))
    write_lhe("hh.lhe", events, beam_energy_gev=6_500.0)
"""

from multihiggs.generate.parton.envelope_sampling import EnvelopeSample, sample_with_envelope
from multihiggs.generate.parton.events import PartonEvents
from multihiggs.generate.parton.form_factor_table import (
    FormFactorTable,
    build_form_factor_table,
    table_mass_nodes,
)
from multihiggs.generate.parton.form_factors import (
    box_form_factors,
    c0_massless_pair_closed_form,
    triangle_form_factor,
    triangle_function,
)
from multihiggs.generate.parton.hh_process import (
    generate_hh_events,
    hh_cross_section_coefficients,
    hh_cross_section_pb,
    hh_cross_section_ratios,
    hh_mass_spectrum_terms,
)
from multihiggs.generate.parton.hhh_process import generate_hhh_events, hhh_damping, hhh_eft_amplitude
from multihiggs.generate.parton.lhe import write_lhe
from multihiggs.generate.parton.loop_integrals import c0_equal_mass, d0_equal_mass
from multihiggs.generate.parton.parton_luminosity import (
    PartonPdf,
    alpha_s_one_loop,
    build_gluon_pdf_from_pythia,
    build_parton_pdf_from_pythia,
    gluon_luminosity_density,
    hard_scale_gev,
)

__all__ = [
    "EnvelopeSample",
    "FormFactorTable",
    "PartonEvents",
    "PartonPdf",
    "alpha_s_one_loop",
    "box_form_factors",
    "build_form_factor_table",
    "build_gluon_pdf_from_pythia",
    "build_parton_pdf_from_pythia",
    "c0_equal_mass",
    "c0_massless_pair_closed_form",
    "d0_equal_mass",
    "generate_hh_events",
    "generate_hhh_events",
    "gluon_luminosity_density",
    "hard_scale_gev",
    "hh_cross_section_coefficients",
    "hh_cross_section_pb",
    "hh_cross_section_ratios",
    "hh_mass_spectrum_terms",
    "hhh_damping",
    "hhh_eft_amplitude",
    "sample_with_envelope",
    "table_mass_nodes",
    "triangle_form_factor",
    "triangle_function",
    "write_lhe",
]

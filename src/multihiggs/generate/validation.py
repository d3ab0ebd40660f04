"""Validation of the event simulation: σ(κλ)/σ(1) against the published LO ratios, parton-level spectra, and
jet / b-tag multiplicities per sample. Writes figures and Markdown tables under ``results/validation``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import awkward as ak
import numpy as np
import vector

from multihiggs.io.atomic import write_text
from multihiggs.io.delphes import btag_bit, read_delphes
from multihiggs.tables import markdown_table

#: Published LO ratio σ(κλ)/σ(1) at 13 TeV (glover1988hh, plehn1996hh; docs/sources.md): 2.09 − 1.37 κλ + 0.28 κλ².
PUBLISHED_LO_RATIO = (2.09, -1.37, 0.28)
#: LHC Higgs WG NNLO-FTapprox σ(κλ) in fb at 13 TeV: 70.3874 − 50.4111 κλ + 11.0595 κλ².
NNLO_FTAPPROX_FB = (70.3874, -50.4111, 11.0595)
#: Agreement goal between our LO ratios and the published ones.
RATIO_TOLERANCE = 0.05
TABLE_KAPPA_LAMBDAS = (-5.0, -3.0, -1.0, 0.0, 1.0, 2.0, 2.45, 3.0, 5.0, 7.0, 9.0, 12.0)
SHAPE_KAPPA_LAMBDAS = (1.0, 2.45, 5.0)


def quadratic(coefficients: Sequence[float], kappa_lambda: np.ndarray) -> np.ndarray:
    """a + b κλ + c κλ² for ``coefficients`` (a, b, c)."""
    a, b, c = coefficients
    kappa_lambda = np.asarray(kappa_lambda, dtype=float)
    return a + b * kappa_lambda + c * kappa_lambda**2


def nnlo_ratio(kappa_lambda: np.ndarray) -> np.ndarray:
    """NNLO-FTapprox σ(κλ)/σ(1)."""
    return quadratic(NNLO_FTAPPROX_FB, kappa_lambda) / quadratic(NNLO_FTAPPROX_FB, np.array(1.0))


def ratio_rows(kappa_lambdas: np.ndarray, our_ratios: np.ndarray) -> list[list[object]]:
    """Table rows: κλ, ours, published LO, deviation (%), NNLO ratio, within tolerance."""
    published = quadratic(PUBLISHED_LO_RATIO, kappa_lambdas)
    deviation = our_ratios / published - 1.0
    return [
        [
            f"{k:g}",
            float(ours),
            float(pub),
            float(100 * dev),
            float(nnlo),
            "yes" if abs(dev) <= RATIO_TOLERANCE else "NO",
        ]
        for k, ours, pub, dev, nnlo in zip(
            kappa_lambdas, our_ratios, published, deviation, nnlo_ratio(kappa_lambdas), strict=True
        )
    ]


def multiplicity_summary(jets_pt: ak.Array, btag_mask: ak.Array, fatjets_pt: ak.Array, weights: np.ndarray) -> dict:
    """Weighted mean multiplicities of AK5 jets (pT > 20 GeV, as stored), b tags per WP and AK8 jets > 250 GeV."""
    weights = np.asarray(weights, dtype=float)

    def mean(counts: ak.Array) -> float:
        return float(np.average(ak.to_numpy(counts), weights=weights))

    return {
        "AK5 jets": mean(ak.num(jets_pt)),
        "b tags (CSV 70%)": mean(ak.sum(btag_bit(btag_mask, "CSV"), axis=1)),
        "b tags (UParT 85%)": mean(ak.sum(btag_bit(btag_mask, "UParT"), axis=1)),
        "AK8 jets pT>250": mean(ak.sum(fatjets_pt > 250.0, axis=1)),
        ">=4 AK5 jets": mean(ak.num(jets_pt) >= 4),
        ">=6 AK5 jets": mean(ak.num(jets_pt) >= 6),
    }


def system_mass_gev(scalars: np.ndarray) -> np.ndarray:
    """Invariant mass (GeV) of the scalar system, from (n, k, 4) four-momenta (px, py, pz, E)."""
    total = scalars.sum(axis=1)
    return vector.array({"px": total[:, 0], "py": total[:, 1], "pz": total[:, 2], "E": total[:, 3]}).mass


def _read_sample(files: Sequence[Path]) -> dict[str, ak.Array]:
    branches = ["Jet.PT", "Jet.BTag", "FatJet.PT", "Event.Weight"]
    chunks = [read_delphes(path, branches) for path in files]
    return {name: ak.concatenate([chunk[name] for chunk in chunks]) for name in branches}


def run_validation(
    form_factor_path: Path,
    sqrt_s_gev: float,
    seed: int,
    hh_files: Sequence[Path],
    hhh_files: Sequence[Path],
    qcd_files: Sequence[Path],
    output_dir: Path,
    hhh_couplings: tuple[float, float] = (1.0, 1.0),
    hhh_damping_power: int = 3,
    n_shape_events: int = 20_000,
) -> None:
    """Write the generator validation figures and tables into ``output_dir``."""
    import matplotlib.pyplot as plt

    from multihiggs.generate import parton
    from multihiggs.plotting.style import label_axes, save_figure, use_style

    output_dir = Path(output_dir)
    use_style()
    rng = np.random.default_rng(seed)
    table = parton.FormFactorTable.load(form_factor_path)
    pdf = parton.build_gluon_pdf_from_pythia()
    energy_tev = sqrt_s_gev / 1000

    # σ(κλ)/σ(1): ours vs the published LO fit and the NNLO parameterisation.
    fine_kl = np.linspace(-5, 12, 69)
    all_ratios, fit = parton.hh_cross_section_ratios(
        table, np.concatenate([fine_kl, TABLE_KAPPA_LAMBDAS]), sqrt_s_gev=sqrt_s_gev, pdf=pdf
    )
    fine_ratio, table_ratio = all_ratios[: len(fine_kl)], all_ratios[len(fine_kl) :]
    sm_cross_section_pb = parton.hh_cross_section_pb(table, 1.0, sqrt_s_gev=sqrt_s_gev, pdf=pdf)
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, figsize=(9, 9))
    top.plot(fine_kl, fine_ratio, label="ours: LO, exact $m_t$ dependence")
    top.plot(fine_kl, quadratic(PUBLISHED_LO_RATIO, fine_kl), "--", label="published LO fit")
    top.plot(fine_kl, nnlo_ratio(fine_kl), ":", label="NNLO-FTapprox (yield normalisation)")
    top.set_ylabel(r"$\sigma(\kappa_\lambda)/\sigma(1)$")
    top.legend()
    label_axes(top, energy_tev, r"$gg\to HH$")
    bottom.plot(fine_kl, fine_ratio / quadratic(PUBLISHED_LO_RATIO, fine_kl), color="k")
    bottom.axhspan(1 - RATIO_TOLERANCE, 1 + RATIO_TOLERANCE, color="grey", alpha=0.3, label="±5 %")
    bottom.set_xlabel(r"$\kappa_\lambda$")
    bottom.set_ylabel("ours / published")
    save_figure(figure, output_dir / "hh_cross_section_ratios.pdf")
    text = (
        "# gg → HH: σ(κλ)/σ(1) from our LO generator\n\n"
        f"σ_SM(LO) = {1e3 * sm_cross_section_pb:.2f} fb at √s = {energy_tev:g} TeV "
        f"(table m_H = {table.higgs_mass_gev:g} GeV, m_t = {table.top_mass_gev:g} GeV).\n\n"
        f"Quadratic fit of ours: {fit[0]:.3f} {fit[1]:+.3f} κλ {fit[2]:+.3f} κλ²; published LO: "
        f"{PUBLISHED_LO_RATIO[0]} {PUBLISHED_LO_RATIO[1]:+} κλ {PUBLISHED_LO_RATIO[2]:+} κλ². "
        f"Goal: agreement within {RATIO_TOLERANCE:.0%}.\n\n"
        + markdown_table(
            ["κλ", "ours", "published LO", "deviation (%)", "NNLO-FTapprox", "within 5 %"],
            ratio_rows(np.array(TABLE_KAPPA_LAMBDAS), table_ratio),
        )
    )
    write_text(output_dir / "hh_cross_section_ratios.md", text)

    # Parton-level spectra: m_HH for three κλ; m_HHH and Higgs pT of the HHH model.
    figure, axes = plt.subplots(1, 3, figsize=(24, 8))
    bins = np.linspace(250, 1200, 39)
    for kappa_lambda in SHAPE_KAPPA_LAMBDAS:
        events = parton.generate_hh_events(table, kappa_lambda, 1.0, n_shape_events, sqrt_s_gev, pdf, rng)
        axes[0].hist(
            system_mass_gev(events.scalars), bins=bins, density=True, histtype="step", label=f"κλ = {kappa_lambda:g}"
        )
    axes[0].set_xlabel(r"$m_{HH}$ [GeV]")
    axes[0].set_ylabel("normalised")
    axes[0].legend()
    label_axes(axes[0], energy_tev, "LO")
    hhh = parton.generate_hhh_events(
        hhh_couplings[0], hhh_couplings[1], table.higgs_mass_gev, n_shape_events, sqrt_s_gev, pdf, rng,
        top_mass_gev=table.top_mass_gev, damping_power=hhh_damping_power,
    )  # fmt: skip
    axes[1].hist(
        system_mass_gev(hhh.scalars), bins=np.linspace(375, 2000, 40), density=True, histtype="step", label="HHH"
    )
    axes[1].set_xlabel(r"$m_{HHH}$ [GeV]")
    axes[1].legend(
        title=f"heavy-top EFT × damping$^{hhh_damping_power}$ (a model)", loc="upper right", fontsize="small"
    )
    scalar_pt = np.sort(np.hypot(hhh.scalars[..., 0], hhh.scalars[..., 1]), axis=1)[:, ::-1]
    for rank in range(scalar_pt.shape[1]):
        axes[2].hist(
            scalar_pt[:, rank],
            bins=np.linspace(0, 600, 41),
            density=True,
            histtype="step",
            label=f"H{rank + 1} (pT-ordered)",
        )
    axes[2].set_xlabel(r"Higgs $p_T$ in HHH [GeV]")
    axes[2].legend()
    save_figure(figure, output_dir / "parton_spectra.pdf")

    # Jet and b-tag multiplicities per sample (detector level).
    figure, axes = plt.subplots(1, 2, figsize=(18, 8))
    rows = []
    for name, files in (("HH (κλ=1)", hh_files), ("HHH", hhh_files), ("QCD", qcd_files)):
        sample = _read_sample(files)
        weights = ak.to_numpy(sample["Event.Weight"]).astype(float)
        summary = multiplicity_summary(sample["Jet.PT"], sample["Jet.BTag"], sample["FatJet.PT"], weights)
        rows.append([name, len(weights), *summary.values()])
        n_jets = ak.to_numpy(ak.num(sample["Jet.PT"]))
        n_tags = ak.to_numpy(ak.sum(btag_bit(sample["Jet.BTag"], "CSV"), axis=1))
        axes[0].hist(n_jets, bins=np.arange(0, 16) - 0.5, weights=weights / weights.sum(), histtype="step", label=name)
        axes[1].hist(n_tags, bins=np.arange(0, 9) - 0.5, weights=weights / weights.sum(), histtype="step", label=name)
    axes[0].set_xlabel("AK5 jets (pT > 20 GeV, |η| < 2.5)")
    axes[1].set_xlabel("b-tagged AK5 jets (CSV-like 70 %)")
    for ax in axes:
        ax.set_ylabel("fraction of events (weighted)")
        ax.legend()
    label_axes(axes[0], energy_tev)
    save_figure(figure, output_dir / "jet_multiplicities.pdf")
    header = ["sample", "events", *summary.keys()]
    write_text(
        output_dir / "jet_multiplicities.md",
        "# Jet and b-tag multiplicities (weighted means / fractions)\n\n" + markdown_table(header, rows),
    )

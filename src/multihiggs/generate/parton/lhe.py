"""Les Houches Event (LHE) files of parton-level events, readable by Pythia 8 (Beams:frameType = 4).

:class:`LheRecords` holds any hard process: per particle its PDG id, status (-1 incoming, 1 outgoing), mothers,
colour tags and four-momentum. :func:`write_lhe` writes our scalar-production events (incoming gluons in a
colour-singlet flow, scalars of PDG id 25) as unweighted (IDWTUP = 3: weight sigma / N each);
:func:`write_lhe_records` writes any records, unweighted or weighted (IDWTUP = -4: the event weights in pb, their
mean the cross section, which Pythia passes on as ``info.weights``).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from multihiggs.constants import GLUON_PID, HIGGS_PID
from multihiggs.generate.parton.events import PartonEvents
from multihiggs.generate.parton.parton_luminosity import alpha_s_one_loop

PROTON_PID = 2212
PROCESS_ID = 1
ALPHA_QED = 1.0 / 132.507  # G_mu scheme value written as AQEDUP (informational)
UNWEIGHTED_STRATEGY = 3
WEIGHTED_STRATEGY = -4
SINGLET_GLUON_COLOURS = ((501, 502), (502, 501))


@dataclass(frozen=True)
class LheRecords:
    """n events of k particles: pids, status (n, k) int; mothers, colours (n, k, 2) int (1-based mothers, 0 =
    none); momenta (n, k, 4) as (px, py, pz, E) GeV; masses (n, k) GeV; weights_pb, scale_gev (n,)."""

    pids: np.ndarray
    status: np.ndarray
    mothers: np.ndarray
    colours: np.ndarray
    momenta: np.ndarray
    masses: np.ndarray
    weights_pb: np.ndarray
    scale_gev: np.ndarray

    def __post_init__(self) -> None:
        n, k = self.pids.shape
        for name, shape in (
            ("status", (n, k)),
            ("mothers", (n, k, 2)),
            ("colours", (n, k, 2)),
            ("momenta", (n, k, 4)),
            ("masses", (n, k)),
            ("weights_pb", (n,)),
            ("scale_gev", (n,)),
        ):
            if getattr(self, name).shape != shape:
                raise ValueError(f"LheRecords.{name} must have shape {shape}, got {getattr(self, name).shape}")


_PARTICLE_LINE = (
    "{:>9.0f} {:>2.0f} {:>4.0f} {:>4.0f} {:>4.0f} {:>4.0f}"
    " {:+.10e} {:+.10e} {:+.10e} {:.10e} {:.10e} 0.0000e+00 9.0000e+00"
)


def _event_template(n_particles: int) -> str:
    """Format string of one <event> block (every field a float; integers printed with .0f)."""
    header = "{:>2.0f} " + f"{PROCESS_ID:>4d}" + " {:+.10e} {:.10e} " + f"{ALPHA_QED:.10e}" + " {:.10e}"
    return "\n".join(["<event>", header, *[_PARTICLE_LINE] * n_particles, "</event>\n"])


def _event_rows(records: LheRecords) -> np.ndarray:
    """(n, fields) floats in the order of :func:`_event_template`."""
    n, k = records.pids.shape
    header = np.stack(
        [np.full(n, k), records.weights_pb, records.scale_gev, alpha_s_one_loop(records.scale_gev)], axis=1
    )
    particles = np.concatenate(
        [
            records.pids[..., None],
            records.status[..., None],
            records.mothers,
            records.colours,
            records.momenta,
            records.masses[..., None],
        ],
        axis=2,
    ).reshape(n, -1)
    return np.concatenate([header, particles.astype(float)], axis=1)


def write_lhe_records(
    path: str | Path,
    records: LheRecords,
    beam_energy_gev: float,
    cross_section_pb: float,
    cross_section_error_pb: float,
    weighted: bool = False,
) -> None:
    """Write ``records`` to a Les Houches file at ``path`` (gzip-compressed if it ends in .gz).

    beam_energy_gev: energy of each proton beam (GeV), i.e. sqrt(s) / 2; weighted: IDWTUP = -4 (event weights in
    pb) instead of 3 (unweighted).
    """
    if beam_energy_gev <= 0.0:
        raise ValueError(f"beam_energy_gev must be positive, got {beam_energy_gev}")
    incoming = records.status == -1
    beam_energy_in_events = np.where(incoming, records.momenta[..., 3], 0.0).max(initial=0.0)
    if beam_energy_in_events > beam_energy_gev * (1 + 1e-9):
        raise ValueError(
            f"an incoming parton carries {beam_energy_in_events:.1f} GeV, more than the beam energy "
            f"{beam_energy_gev:.1f} GeV"
        )
    n_events = records.pids.shape[0]
    strategy = WEIGHTED_STRATEGY if weighted else UNWEIGHTED_STRATEGY
    maximum_weight = (
        float(np.abs(records.weights_pb).max(initial=0.0)) if weighted else cross_section_pb / max(n_events, 1)
    )
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(Path(path), "wt") as stream:
        stream.write('<LesHouchesEvents version="3.0">\n<header>\n')
        stream.write(f"<!-- multihiggs parton-level generator: {n_events} events -->\n</header>\n")
        stream.write("<init>\n")
        stream.write(f"{PROTON_PID} {PROTON_PID} {beam_energy_gev:.10e} {beam_energy_gev:.10e} 0 0 0 0 {strategy} 1\n")
        stream.write(f"{cross_section_pb:.10e} {cross_section_error_pb:.10e} {maximum_weight:.10e} {PROCESS_ID}\n")
        stream.write("</init>\n")
        template = _event_template(records.pids.shape[1])
        stream.writelines(template.format(*row) for row in _event_rows(records).tolist())
        stream.write("</LesHouchesEvents>\n")


def scalar_records(events: PartonEvents) -> LheRecords:
    """Records of gg -> n scalars: incoming gluons (status -1, colour singlet), scalars (status 1, mothers 1 2)."""
    n, n_scalars = events.scalars.shape[:2]
    k = 2 + n_scalars
    pids = np.tile([GLUON_PID, GLUON_PID] + [HIGGS_PID] * n_scalars, (n, 1))
    status = np.tile([-1, -1] + [1] * n_scalars, (n, 1))
    mothers = np.tile(np.array([(0, 0), (0, 0)] + [(1, 2)] * n_scalars), (n, 1, 1))
    colours = np.zeros((n, k, 2), dtype=int)
    colours[:, :2] = SINGLET_GLUON_COLOURS
    masses = np.zeros((n, k))
    masses[:, 2:] = events.higgs_mass_gev
    momenta = np.concatenate([events.incoming, events.scalars], axis=1)
    return LheRecords(pids, status, mothers, colours, momenta, masses, events.weights_pb, events.scale_gev)


def write_lhe(path: str | Path, events: PartonEvents, beam_energy_gev: float) -> None:
    """Write scalar-production ``events`` (unweighted) to a Les Houches file at ``path``."""
    write_lhe_records(
        path, scalar_records(events), beam_energy_gev, events.cross_section_pb, events.cross_section_error_pb
    )

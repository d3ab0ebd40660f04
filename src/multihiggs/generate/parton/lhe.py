"""Les Houches Event (LHE) writer for parton-level scalar-production events, readable by Pythia 8.

Pythia reads the file with Beams:frameType = 4 and Beams:LHEF = <path>. Incoming gluons have status -1
and a colour-singlet colour flow; the scalars have PDG id 25, status 1 and their mass. The <init> block
carries the cross section and its error (pb) with IDWTUP = 3 (unweighted events of weight sigma / N).
"""

import gzip
from pathlib import Path

import numpy as np

from multihiggs.constants import GLUON_PID, HIGGS_PID
from multihiggs.generate.parton.events import PartonEvents
from multihiggs.generate.parton.parton_luminosity import alpha_s_one_loop

PROTON_PID = 2212
PROCESS_ID = 1
ALPHA_QED = 1.0 / 132.507  # G_mu scheme value written as AQEDUP (informational)
UNWEIGHTED_STRATEGY = 3


def _particle_line(pid: int, status: int, mothers: tuple[int, int], colours: tuple[int, int]) -> str:
    """Template of one particle line with placeholders for px, py, pz, E, m."""
    return (
        f"{pid:>9d} {status:>2d} {mothers[0]:>4d} {mothers[1]:>4d} {colours[0]:>4d} {colours[1]:>4d}"
        " {:+.10e} {:+.10e} {:+.10e} {:.10e} {:.10e} 0.0000e+00 9.0000e+00"
    )


def _event_template(n_scalars: int) -> str:
    """Format string of a full <event> block: header fields, then 2 + n_scalars particle lines."""
    lines = [
        "<event>",
        f"{2 + n_scalars:>2d} {PROCESS_ID:>4d}" + " {:+.10e} {:.10e} " + f"{ALPHA_QED:.10e}" + " {:.10e}",
        _particle_line(GLUON_PID, -1, (0, 0), (501, 502)),
        _particle_line(GLUON_PID, -1, (0, 0), (502, 501)),
    ]
    lines += [_particle_line(HIGGS_PID, 1, (1, 2), (0, 0))] * n_scalars
    return "\n".join([*lines, "</event>\n"])


def write_lhe(path: str | Path, events: PartonEvents, beam_energy_gev: float) -> None:
    """Write ``events`` to a Les Houches file at ``path`` (gzip-compressed if it ends in .gz).

    beam_energy_gev: energy of each proton beam (GeV), i.e. sqrt(s) / 2.
    """
    if beam_energy_gev <= 0.0:
        raise ValueError(f"beam_energy_gev must be positive, got {beam_energy_gev}")
    beam_energy_in_events = events.incoming[:, :, 3].max(initial=0.0)
    if beam_energy_in_events > beam_energy_gev * (1 + 1e-9):
        raise ValueError(
            f"an incoming gluon carries {beam_energy_in_events:.1f} GeV, more than the beam energy "
            f"{beam_energy_gev:.1f} GeV"
        )
    n_scalars = events.scalars.shape[1]
    masses = np.full((*events.scalars.shape[:2], 1), events.higgs_mass_gev)
    gluons = np.concatenate([events.incoming, np.zeros((*events.incoming.shape[:2], 1))], axis=2)
    scalars = np.concatenate([events.scalars, masses], axis=2)
    particles = np.concatenate([gluons, scalars], axis=1).reshape(events.n_events, -1)
    header = np.stack([events.weights_pb, events.scale_gev, alpha_s_one_loop(events.scale_gev)], axis=1)
    rows = np.concatenate([header, particles], axis=1)
    template = _event_template(n_scalars)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(Path(path), "wt") as stream:
        stream.write('<LesHouchesEvents version="3.0">\n<header>\n')
        stream.write(f"<!-- multihiggs parton-level generator: {events.n_events} events -->\n</header>\n")
        stream.write("<init>\n")
        stream.write(
            f"{PROTON_PID} {PROTON_PID} {beam_energy_gev:.10e} {beam_energy_gev:.10e} 0 0 0 0 {UNWEIGHTED_STRATEGY} 1\n"
        )
        stream.write(
            f"{events.cross_section_pb:.10e} {events.cross_section_error_pb:.10e} "
            f"{events.cross_section_pb / max(events.n_events, 1):.10e} {PROCESS_ID}\n</init>\n"
        )
        stream.writelines(template.format(*row) for row in rows.tolist())
        stream.write("</LesHouchesEvents>\n")

"""Colour flows for the shower: counts, Les Houches tag bookkeeping, and the leading-colour flow weights."""

import numpy as np
import pytest

from multihiggs.generate.parton.colour_flow import FlowChooser, colour_flows
from multihiggs.generate.parton.qcd_amplitudes import Parton, QcdProcess

gluon, quark, antiquark = Parton.gluon, Parton.quark, Parton.antiquark


GG_TO_QQBAR = (gluon(1), gluon(1), quark(0), antiquark(0))
GG_TO_FOUR_B = (gluon(1), gluon(1), quark(0, 5), antiquark(0, 5), quark(0, 5), antiquark(0, 5))


@pytest.mark.parametrize(
    ("legs", "expected"),
    [
        (GG_TO_QQBAR, 2),  # (T^a T^b)_ij and (T^b T^a)_ij
        ((quark(1), antiquark(1), quark(0, 1), antiquark(0, 1)), 2),
        ((gluon(1), gluon(1), gluon(0), gluon(0)), 6),  # (n - 1)! single traces
        ((gluon(1), gluon(1), gluon(0), gluon(0), gluon(0)), 24),
        (GG_TO_FOUR_B, 12),
    ],
)
def test_tree_level_flow_counts(legs, expected):
    assert len(colour_flows(legs)) == expected


@pytest.mark.parametrize("legs", [GG_TO_QQBAR, GG_TO_FOUR_B, (quark(1), antiquark(1), quark(0, 5), antiquark(0, 5))])
def test_lhe_tags_conserve_colour(legs):
    """Every tag appears twice: once entering (outgoing colour / incoming anticolour), once leaving."""
    chooser = FlowChooser(QcdProcess(legs))
    incoming = np.array([leg.incoming for leg in legs], dtype=bool)
    for tags in chooser.tags:
        entering = np.concatenate([tags[~incoming, 0], tags[incoming, 1]])
        leaving = np.concatenate([tags[~incoming, 1], tags[incoming, 0]])
        entering, leaving = entering[entering > 0], leaving[leaving > 0]
        assert sorted(entering) == sorted(leaving)
        assert len(set(entering)) == len(entering)
        for tag, leg in zip(tags, legs, strict=True):
            assert (tag > 0).sum() == (2 if leg.kind == "g" else 1)


def test_gg_to_qqbar_flow_weights_are_the_partial_amplitudes():
    """Sum_h |A(1, 2)|^2 / |A(2, 1)|^2 = (u / t)^2 for g g -> q qbar."""
    cos = np.array([0.8, 0.3, -0.6])
    energy = 50.0
    momenta = np.zeros((3, 4, 4))
    momenta[:, 0] = [energy, 0, 0, energy]
    momenta[:, 1] = [energy, 0, 0, -energy]
    momenta[:, 2] = np.stack([np.full(3, energy), energy * np.sqrt(1 - cos**2), 0 * cos, energy * cos], 1)
    momenta[:, 3] = momenta[:, 0] + momenta[:, 1] - momenta[:, 2]
    t, u = -2 * energy**2 * (1 - cos), -2 * energy**2 * (1 + cos)
    weights = FlowChooser(QcdProcess(GG_TO_QQBAR)).flow_weights(momenta)
    ratio = weights[:, 0] / weights[:, 1]
    assert np.allclose(np.sort([ratio, 1 / ratio], axis=0)[1], np.maximum((u / t) ** 2, (t / u) ** 2), rtol=1e-9)


def test_flows_reproduce_the_amplitude():
    """M = sum_flow J_flow F_flow exactly for g g -> b b-bar b b-bar (the flows span the tree amplitudes)."""
    process = QcdProcess(GG_TO_FOUR_B)
    chooser = FlowChooser(process)
    rng = np.random.default_rng(4)
    momenta = np.zeros((3, 6, 4))
    directions = rng.normal(size=(3, 3, 3))
    final = np.concatenate([np.linalg.norm(directions, axis=2, keepdims=True), directions], axis=2) * 40
    final = np.concatenate([final, -final.sum(axis=1, keepdims=True)], axis=1)
    final[:, 3, 0] = np.linalg.norm(final[:, 3, 1:], axis=1)
    total = final.sum(axis=1)
    momenta[:, 2:] = final
    momenta[:, 0, 0] = momenta[:, 0, 3] = momenta[:, 1, 0] = 0.5 * total[:, 0]
    momenta[:, 1, 3] = -momenta[:, 1, 0]
    amplitudes = process.amplitudes(momenta)
    flow_amplitudes = amplitudes @ chooser._decomposition.T
    from multihiggs.generate.parton.colour_flow import flow_tensor
    from multihiggs.generate.parton.qcd_colour import coefficients_on_basis

    tensors = np.stack([flow_tensor(process.legs, flow) for flow in chooser.flows])
    rebuilt = flow_amplitudes @ coefficients_on_basis(process.colour_basis, tensors)
    assert np.allclose(rebuilt, amplitudes, atol=1e-9 * np.abs(amplitudes).max())
    tags = chooser.choose(momenta, rng)
    assert tags.shape == (3, 6, 2)

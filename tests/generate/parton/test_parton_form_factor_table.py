"""FormFactorTable: nodes, interpolation, npz round trip, other scalar masses."""

import numpy as np
import pytest

from multihiggs.generate.parton import FormFactorTable, box_form_factors, build_form_factor_table, table_mass_nodes


def test_mass_nodes_start_at_pair_threshold_and_contain_top_threshold():
    nodes = table_mass_nodes(125.0, 173.0, 30, 2000.0)
    assert nodes.size == 30
    assert nodes[0] == pytest.approx(250.0)
    assert nodes[-1] == pytest.approx(2000.0)
    assert np.any(np.isclose(nodes, 346.0))
    assert np.all(np.diff(nodes) > 0)


def test_interpolation_reproduces_nodes_and_direct_evaluation(coarse_table):
    i, j = 20, 1
    mass, cos = coarse_table.mass_nodes_gev[i], coarse_table.abs_cos_nodes[j]
    f_box, g_box = coarse_table.interpolate(mass, cos)
    assert f_box == pytest.approx(coarse_table.f_box[i, j])
    s = mass**2
    t = 125.0**2 - 0.5 * s * (1.0 - np.sqrt(1.0 - 4.0 * 125.0**2 / s) * cos)
    direct_f, direct_g = box_form_factors(s, t, 125.0, 173.0, c0_order=24, d0_order=12)
    assert f_box == pytest.approx(direct_f, rel=1e-9)
    assert g_box == pytest.approx(direct_g, rel=1e-9)
    assert np.all(coarse_table.g_box[:, -1] == 0.0)  # |cos| = 1


def test_save_load_round_trip(coarse_table, tmp_path):
    path = tmp_path / "table.npz"
    coarse_table.save(path)
    loaded = FormFactorTable.load(path)
    assert loaded.higgs_mass_gev == coarse_table.higgs_mass_gev
    assert loaded.quadrature_order == coarse_table.quadrature_order
    np.testing.assert_array_equal(loaded.f_box, coarse_table.f_box)
    np.testing.assert_array_equal(loaded.g_box, coarse_table.g_box)
    np.testing.assert_array_equal(loaded.mass_nodes_gev, coarse_table.mass_nodes_gev)


def test_load_rejects_foreign_npz(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, something=np.zeros(3))
    with pytest.raises(ValueError, match="missing"):
        FormFactorTable.load(path)


def test_interpolation_rejects_points_outside_the_table(coarse_table):
    with pytest.raises(ValueError, match="m_HH outside"):
        coarse_table.interpolate(coarse_table.mass_max_gev + 10.0, 0.5)
    with pytest.raises(ValueError, match="cos"):
        coarse_table.interpolate(400.0, 1.5)


@pytest.mark.parametrize("higgs_mass", [80.0, 170.0])
def test_tables_build_for_other_scalar_masses(higgs_mass):
    table = build_form_factor_table(higgs_mass, 173.0, n_mass=8, n_cos=3, mass_max_gev=1000.0, quadrature_order=8)
    assert table.mass_nodes_gev[0] == pytest.approx(2.0 * higgs_mass)
    assert np.all(np.isfinite(table.f_box)) and np.all(np.isfinite(table.g_box))


def test_builder_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_cos"):
        build_form_factor_table(125.0, 173.0, n_cos=2)
    with pytest.raises(ValueError, match="quadrature_order"):
        build_form_factor_table(125.0, 173.0, quadrature_order=4)
    with pytest.raises(ValueError, match="2 m_H < 2 m_t"):
        build_form_factor_table(180.0, 173.0)

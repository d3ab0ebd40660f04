"""multihiggs.baselines: the non-ML reconstruction baselines SPA-Net is compared to.

- :mod:`~multihiggs.baselines.assignments`: index tables of every unique jet-to-Higgs-pair assignment.
- :mod:`~multihiggs.baselines.jet_selection`: which jets a baseline pairs (top jets by b-tag then pT; hsieh_spanet2's
  four-tag selection), from the shared jet batches of :mod:`multihiggs.jets`.
- :mod:`~multihiggs.baselines.chi2`: chi^2 = sum (m_bb - m_H)^2 pairing, HH and HHH, top jets or all jets.
- :mod:`~multihiggs.baselines.mass_agnostic`, :mod:`~multihiggs.baselines.min_delta_r`: HH pairings.
- :mod:`~multihiggs.baselines.fatjet_bdt`, :mod:`~multihiggs.baselines.chi2_bdt`: the AK8 H -> bb BDT and the
  boosted + resolved chi^2 + BDT baseline.
- :mod:`~multihiggs.baselines.predict`: the CLI writing prediction files (inputs read by
  :mod:`multihiggs.io.readers`).

The selection DNN of the κλ fit, which scores any method's paired Higgs, is :mod:`multihiggs.stats.dnn_selection`.
"""

"""From Pythia 8 particles to detector-level jets (Delphes-like ``Jet`` and ``FatJet`` records).

Modules, in the order the chain uses them: ``charge`` (PDG id → electric charge), ``final_state`` (visible
particles and heavy-flavour hadrons), ``jets`` (anti-kt clustering with ghost flavour association),
``substructure`` (soft drop, N-subjettiness), ``detector`` (resolution and acceptance), ``btag`` (tagging
efficiencies and bitmask) and ``reconstruct`` (the single entry point); ``indexing`` gathers per-jet values.
"""

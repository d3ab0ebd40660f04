"""Conversion of Delphes-schema ROOT files to the SPANet HDF5 layout (the layout of multihiggs.io.spanet_layout).

Modules: ``truth`` (Higgs bosons and b quarks from the generator record), ``matching`` (quarks to AK5 jets, Higgs
to AK8 jets), ``selection`` (jet acceptance, jet count, four-tag cut or tag-rate weights), ``features`` (input
arrays), ``splits`` (seeded train/val/test assignment), ``convert`` (the chunked file loop; CLI in ``__main__``),
``merge`` (training files: κλ mixing, balance, flat-mass weights), ``tables`` (truth-matching statistics),
``h5append`` (atomic, appendable HDF5 files), ``synthetic`` (fake Delphes events for tests and benchmarks).
"""

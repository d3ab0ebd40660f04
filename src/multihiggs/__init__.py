"""multihiggs: reconstruction of multi-Higgs events (HH -> 4b, HHH -> 6b) with SPA-Net."""

__version__ = "0.1.0"

"""multihiggs.baselines"""

"""multihiggs.stats"""

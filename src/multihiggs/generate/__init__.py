"""multihiggs.generate"""

"""multihiggs.plotting"""

"""multihiggs.evaluate"""

"""multihiggs.io"""

"""multihiggs.convert"""

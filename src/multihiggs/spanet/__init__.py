"""multihiggs.spanet"""

"""vixshield.strategy"""

"""vixshield.markets"""

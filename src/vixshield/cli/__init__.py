"""vixshield.cli"""

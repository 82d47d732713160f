"""vixshield.data"""

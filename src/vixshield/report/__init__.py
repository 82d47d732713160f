"""vixshield.report"""

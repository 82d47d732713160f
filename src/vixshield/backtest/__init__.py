"""vixshield.backtest"""

"""Forecasting: learned stage rates, timing, the win-probability model and the period forecast.

One idea per module; the use cases that put them together live in ``sqo.services.forecast``.
"""

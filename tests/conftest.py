"""Shared pytest setup: draw figures off-screen.

Agg renders to memory only, so the plot and widget tests run on machines without a display.
"""
import matplotlib

matplotlib.use("Agg")

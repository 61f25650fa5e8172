"""Fabflow: order management for digital manufacturing and mass customization."""

__version__ = "0.1.0"

"""Tests of health, metrics, logs, settings and the command line."""

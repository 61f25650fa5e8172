"""The audit trail: who changed what, when, and the values before and after.

Services call `fabflow.audit.trail.record` in the transaction of the change they make; the
Activity page (`views.py`) shows an organization's records to its admins.
"""

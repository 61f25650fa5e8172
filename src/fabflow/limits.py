"""Every bound Fabflow puts on what callers send and on the work they define, declared once.

Services, request parsing, flow validation and the template sandbox read their limits here;
docs/security.md lists them. A request over any bound is refused before anything is written.
"""

# --- Orders, products, parts and their JSON documents -------------------------------------

# --- Order flows and their templates -------------------------------------------------------

"""Operations: health and readiness probes, Prometheus metrics, request ids and `fabflow check`."""

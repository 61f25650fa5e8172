"""The built-in handlers, one module per handlerKey; see `fabflow.flows.registry`."""

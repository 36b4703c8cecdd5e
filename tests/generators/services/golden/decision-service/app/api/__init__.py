"""The HTTP interface: one router per concern under `routes/`."""

"""Settings, metrics, request bodies, API keys."""

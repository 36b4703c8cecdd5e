"""Settings, metrics, the decision log, API keys and request bodies."""

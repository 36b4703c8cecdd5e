"""Routes: decisions, the product description, health and metrics."""

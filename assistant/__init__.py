"""docgen assistant package."""

"""docgen indexer package."""

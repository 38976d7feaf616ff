"""deployed_restaking vectors: scenario cases and findings."""

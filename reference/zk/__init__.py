"""reference/zk."""

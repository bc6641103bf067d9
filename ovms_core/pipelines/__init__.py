"""DAG pipelines: configuration checks, graph validation and asynchronous execution."""

"""awsql: a SQL shell for AWS, answered by the Cloud Control API."""

__version__ = "0.1.0"

"""Cloud Control access for a session: ``Gateway(settings).fetch_all(fetches)``.

Importing this package does not import boto3; the first API call does.
"""

from awsql_shell.gateway.calls import RetryPolicy
from awsql_shell.gateway.errors import FetchFailedError, UnsupportedTypeError
from awsql_shell.gateway.gateway import Gateway, GatewayStats
from awsql_shell.gateway.progress import ProgressListener

__all__ = ["FetchFailedError", "Gateway", "GatewayStats", "ProgressListener", "RetryPolicy", "UnsupportedTypeError"]

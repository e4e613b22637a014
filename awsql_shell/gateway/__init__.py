"""Cloud Control access for a session: ``Gateway(settings).fetch_all(fetches)``.

- Concurrency: every API call of a statement runs in one pool of ``settings.max_concurrency`` workers;
  ListResources pages outrank GetResource calls, and the gets of a page start as soon as it arrives.
- Cache (per gateway, ``settings.cache_ttl`` seconds, off with ``settings.cache_enabled = False``): single
  resources by (endpoint, profile, region, type, identifier), remembering absent ones too, and complete
  listings by (endpoint, profile, region, type, resource model). A listing with details is its cached
  listing plus the cached single resources, so it also answers later lookups by identifier. A listing cut
  short by a limit is never stored as complete. Identical calls in flight at the same time are made once.
  A (region, type) with a request of this session not yet seen finished (NOWAIT, --no-wait, an interrupted
  wait) is read past the cache until a status check shows the request done (see ``gateway.gateway``).
- Errors: a fetch that fails carries an ``AwsqlError`` naming region, type and cause and no rows; unusable
  credentials raise ``CredentialsError`` for the whole statement; cancelling raises ``KeyboardInterrupt``.

Importing this package does not import boto3; the first API call does.
"""

from awsql_shell.gateway.calls import RetryPolicy
from awsql_shell.gateway.errors import FetchFailedError, UnsupportedTypeError
from awsql_shell.gateway.gateway import Gateway, GatewayStats
from awsql_shell.gateway.progress import ProgressListener

__all__ = ["FetchFailedError", "Gateway", "GatewayStats", "ProgressListener", "RetryPolicy", "UnsupportedTypeError"]

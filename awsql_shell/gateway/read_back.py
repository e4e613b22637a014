"""Reading a resource back after a mutation: ``read_resource``, the one GetResource that tells whether a resource
exists (a resend after throttling asks it first, ``gateway.mutation_send``), through the gateway's
``ApiCaller`` (retried, counted) and never through the cache, which may hold the resource as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from awsql_shell.gateway.calls import ApiCaller
from awsql_shell.gateway.clients import Target
from awsql_shell.gateway.errors import is_not_found


def read_resource(
    caller: ApiCaller,
    target: Target,
    region: str,
    type_name: str,
    identifier: str,
    *,
    abandoned: Callable[[], bool],
    retry: bool = False,
) -> dict[str, Any] | None:
    """One GetResource: the resource's properties, or None when Cloud Control says it does not exist.
    Other errors are raised as they came."""
    params = {"TypeName": type_name, "Identifier": identifier}
    try:
        response = caller.call(target, region, "get_resource", params, abandoned=abandoned, retry=retry)
    except Exception as error:
        if is_not_found(error):
            return None
        raise
    raw = (response.get("ResourceDescription") or {}).get("Properties")
    if not raw:
        return {}
    parsed = json.loads(raw) if isinstance(raw, str) else raw
    return parsed if isinstance(parsed, dict) else {"value": parsed}

"""Plans: which Cloud Control calls a statement needs, decided without touching the network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fetch:
    """Read one resource type in one region.

    ``identifiers`` set: one GetResource each. Otherwise ListResources (every page, or until
    ``limit`` resources), then GetResource for each listed resource when ``with_details``.
    """

    region: str
    type_name: str
    identifiers: tuple[str, ...] | None = None
    with_details: bool = False
    resource_model: dict[str, Any] | None = None
    limit: int | None = None
    # Resource requests instead of resources: GetResourceRequestStatus per token (``identifiers``), or
    # ListResourceRequests with ``resource_model`` as its ResourceRequestStatusFilter. Never cached.
    requests: bool = False

    @property
    def operations(self) -> tuple[str, ...]:
        if self.requests:
            return ("GetResourceRequestStatus",) if self.identifiers is not None else ("ListResourceRequests",)
        if self.identifiers is not None:
            return ("GetResource",)
        return ("ListResources", "GetResource") if self.with_details else ("ListResources",)


@dataclass(frozen=True)
class FetchedResource:
    identifier: str
    properties: dict[str, Any]


@dataclass
class FetchResult:
    fetch: Fetch
    resources: list[FetchedResource] = field(default_factory=list)
    error: Exception | None = None  # an AwsqlError describing why this region/type failed

"""Every naming and schema question: ``awscc.service.resource`` <-> ``AWS::Svc::Type``, column <-> property."""

from awsql_shell.catalog.schema import Column, Field, ResourceSchema
from awsql_shell.catalog.store import Catalog, ResolvedResource, ResourceEntry, Service, default_catalog

__all__ = [
    "Catalog",
    "Column",
    "Field",
    "ResolvedResource",
    "ResourceEntry",
    "ResourceSchema",
    "Service",
    "default_catalog",
]

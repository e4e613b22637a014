"""How real Cloud Control behaves for particular types, where it departs from the uniform CRUD-L contract.
Facts about AWS, kept in one place for whoever needs them: the planner reads them to decide the calls, and
the sandbox reads them to behave as AWS does.

- Account-wide lists: ListResources of ``AWS::S3::Bucket`` answers with every bucket of the account,
  whichever region it is asked in, while GetResource answers only in the bucket's home region.
  Evidence: aws/aws-toolkit-vscode#2193 — "S3::Bucket's resource handler LIST operation returns buckets
  from all regions ... Buckets out of the current node's region are not accessible since the subsequent
  GET operation is region scoped"; aws/aws-toolkit-jetbrains#2896 — "list-resources returns all buckets
  globally for an account, however get-resources is only able to retrieve buckets for the selected
  region"; aws/aws-cli#6464 (the read elsewhere fails with S3's 301).
- Global services: IAM, CloudFront, Route 53, Organizations and Global Accelerator keep one set of resources
  per account, seen alike from every region (IAM User Guide: "IAM is a global service"; the resources of a
  global service are not regional, so Cloud Control lists the same ones in each region it is asked in).
  Read in several regions, each would come back once per region.
"""

from __future__ import annotations

ACCOUNT_WIDE_LIST_TYPES: frozenset[str] = frozenset({"AWS::S3::Bucket"})


def lists_account_wide(type_name: str) -> bool:
    return type_name in ACCOUNT_WIDE_LIST_TYPES


GLOBAL_SERVICES: frozenset[str] = frozenset({"IAM", "CloudFront", "Route53", "Organizations", "GlobalAccelerator"})


def is_global(type_name: str) -> bool:
    """A type of a global service: one set of resources per account, whichever region is asked."""
    parts = type_name.split("::")
    return len(parts) == 3 and parts[1] in GLOBAL_SERVICES


# IAM role names as IAM takes them (IAM User Guide, "IAM and AWS STS quotas": up to 64 of letters, digits and
# +=,.@_-), after an optional path (``audit/Reader``): what --org-role takes and a role ARN ends with.
IAM_ROLE_PATH = r"(?:[\w+=,.@-]+/)*"
IAM_ROLE_NAME = r"[\w+=,.@-]{1,64}"

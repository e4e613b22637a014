"""StackQL ``awscc`` naming rules (dialect section 1), as small pure functions.

These reproduce StackQL's names exactly, quirks included (``EC2InstanceType`` ->
``e_c2_instance_type``), because users paste queries from StackQL's documentation.
"""

from __future__ import annotations

import re

PROVIDER = "awscc"

_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY = re.compile(r"([a-z])([A-Z])")
_REPEATED_UNDERSCORE = re.compile(r"_+")

# Order matters: earlier replacements shield later ones (VPCDHCP before VPC and DHCP).
_REPLACEMENTS_SPEC = """
DB->Db ARN->Arn WAN->Wan URL->Url VPCDHCP->VpcDhcp EC2Fleet->Ec2_Fleet VPC->Vpc DHCP->Dhcp DNS->Dns IP->Ip
IAM->Iam TLS->Tls SSM->Ssm CNAME->Cname SQ->Sq ML->Ml SKU->Sku KMS->Kms OK->Ok CA->Ca ID->Id TTL->Ttl URI->Uri
LB->Lb SNS->Sns AWS->Aws ACL->Acl AZ->Az API->Api MSK->Msk ECS->Ecs EBS->Ebs CWE->Cwe SSE->Sse HPO->Hpo LF->Lf
WAL->Wal MFA->Mfa OAuth->Oauth
"""
_COLUMN_REPLACEMENTS: tuple[tuple[str, str], ...] = tuple(
    (old, new) for old, _, new in (pair.partition("->") for pair in _REPLACEMENTS_SPEC.split())
)
_RESERVED_COLUMNS = frozenset({"values", "schema", "database", "format", "update", "force", "match"})

_IRREGULAR_PLURALS = {"index": "indices", "analysis": "analyses", "schema": "schemata"}
_ES_SUFFIXES = ("x", "ch", "sh", "ss", "us", "alias")


def snake(name: str) -> str:
    """Snake-case a CloudFormation type segment: ``DBInstance`` -> ``db_instance``."""
    name = _ACRONYM_BOUNDARY.sub(lambda m: f"{m.group(1).lower()}_{m.group(2).lower()}", name)
    name = _CAMEL_BOUNDARY.sub(r"\1_\2", name)
    return _REPEATED_UNDERSCORE.sub("_", name.lower())


def pluralize(word: str) -> str:
    """English plural of the last word of a snake_case name, as StackQL forms it."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _IRREGULAR_PLURALS:
        return prefix + _IRREGULAR_PLURALS[last]
    if last.endswith(_ES_SUFFIXES):
        return word + "es"
    if len(last) > 1 and last.endswith("y") and last[-2] not in "aeiou":
        return word[:-1] + "ies"
    if last.endswith("s"):
        return word
    return word + "s"


def split_type_name(type_name: str) -> tuple[str, str, str]:
    """``AWS::Lambda::Function`` -> ``("AWS", "Lambda", "Function")``."""
    parts = type_name.split("::")
    if len(parts) != 3:
        raise ValueError(f"not a CloudFormation type name: {type_name!r}")
    return parts[0], parts[1], parts[2]


def service_name(type_name: str) -> str:
    return split_type_name(type_name)[1].lower()


def resource_name(type_name: str) -> str:
    return pluralize(snake(split_type_name(type_name)[2]))


def resource_id(type_name: str) -> str:
    """``AWS::Lambda::EventInvokeConfig`` -> ``awscc.lambda.event_invoke_configs``."""
    return f"{PROVIDER}.{service_name(type_name)}.{resource_name(type_name)}"


def column_name(property_name: str) -> str:
    """CloudFormation property -> StackQL column: ``VPCId`` -> ``vpc_id``, ``Schema`` -> ``_schema``."""
    name = property_name
    for old, new in _COLUMN_REPLACEMENTS:
        name = name.replace(old, new)
    out: list[str] = []
    i = 0
    while i < len(name):
        ch = name[i]
        out.append(ch)
        if i + 1 < len(name) and (ch.isalpha() or ch.isdigit() or ch == "_") and name[i + 1].isupper():
            out.append("_")
            out.append(name[i + 1])
            i += 2
            continue
        i += 1
    column = "".join(out).lower()
    return f"_{column}" if column in _RESERVED_COLUMNS else column


# Columns awsql itself gives every resource: ``region`` and ``account_id`` say where to call (and where a row
# came from), ``Identifier`` is Cloud Control's identifier. A top-level property that would take one of these
# names (SNS subscriptions and Route 53 record sets have a ``Region``, many types an ``AccountId``, DataZone
# and MediaLive types an ``Identifier``) is named ``<name>_property`` instead, so that these always steer the
# calls and the property stays readable and writable.
REGION = "region"
ACCOUNT_ID = "account_id"
PSEUDO_COLUMNS = (REGION, ACCOUNT_ID)  # materialized on every row, from where the call went
AWSQL_COLUMNS = (*PSEUDO_COLUMNS, "identifier")
PROPERTY_SUFFIX = "_property"


def property_column(name: str) -> str:
    """The column of a top-level property: ``column_name``, moved aside from awsql's own columns."""
    column = column_name(name)
    return f"{column}{PROPERTY_SUFFIX}" if column in AWSQL_COLUMNS else column


def fold(name: str) -> str:
    """The key forgiving resolution compares: case and underscores ignored."""
    return name.replace("_", "").lower()

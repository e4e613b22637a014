"""Values the service would fill in: ids, ARNs, names, URLs — for any type, realistic for common ones.

Everything is derived from a salt by hashing, so the same salt gives the same resource; fixtures use a
salt made of region, type and name, which keeps their generated ids stable across runs and versions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awsql_shell.catalog.aws_behaviour import is_global
from awsql_shell.catalog.schema import ResourceSchema

ACCOUNT_ID = "123456789012"  # the sample account: a standalone account, or an Organization's management account
GLOBAL_PARTITION_KEY = "global"  # where the state keeps resources of global services
FIXED_TIME = "2024-06-01T12:00:00Z"

HEX = "0123456789abcdef"
LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# EC2 id prefixes by resource kind, so generated ids look like the ones people know.
EC2_PREFIXES = {
    "VPC": "vpc",
    "Subnet": "subnet",
    "SecurityGroup": "sg",
    "InternetGateway": "igw",
    "EgressOnlyInternetGateway": "eigw",
    "NatGateway": "nat",
    "RouteTable": "rtb",
    "NetworkAcl": "acl",
    "Instance": "i",
    "Volume": "vol",
    "LaunchTemplate": "lt",
    "NetworkInterface": "eni",
    "TransitGateway": "tgw",
    "TransitGatewayAttachment": "tgw-attach",
    "VPCEndpoint": "vpce",
    "VPCPeeringConnection": "pcx",
    "KeyPair": "key",
    "PlacementGroup": "pg",
    "PrefixList": "pl",
    "DHCPOptions": "dopt",
    "CustomerGateway": "cgw",
    "VPNGateway": "vgw",
    "VPNConnection": "vpn",
    "FlowLog": "fl",
    "EIP": "eipalloc",
    "CapacityReservation": "cr",
}


def partition_key(type_name: str, region: str) -> str:
    """Resources of global services (IAM, ...) are one set, seen alike from every region."""
    return GLOBAL_PARTITION_KEY if is_global(type_name) else region


def kebab(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower()


@dataclass(frozen=True)
class Context:
    """Where a resource is made (type, region, account) and the salt its generated values come from."""

    type_name: str
    region: str
    salt: str
    account: str = ACCOUNT_ID

    @property
    def service(self) -> str:
        return self.type_name.split("::")[1].lower()

    @property
    def kind(self) -> str:
        return self.type_name.split("::")[2]

    def token(self, purpose: str, length: int, alphabet: str = HEX) -> str:
        digest = hashlib.sha256(f"{self.salt}|{purpose}".encode()).digest()
        while len(digest) < length:
            digest += hashlib.sha256(digest).digest()
        return "".join(alphabet[b % len(alphabet)] for b in digest[:length])

    def uuid(self, purpose: str) -> str:
        text = self.token(purpose, 32)
        return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:32]}"

    def arn(self, resource: str) -> str:
        region = "" if partition_key(self.type_name, self.region) == GLOBAL_PARTITION_KEY else self.region
        return f"arn:aws:{self.service}:{region}:{self.account}:{resource}"

    def ec2_id(self, purpose: str = "id") -> str:
        prefix = EC2_PREFIXES.get(self.kind, "".join(c for c in self.kind if c.isupper()).lower() or "r")
        return f"{prefix}-{self.token(purpose, 17)}"

    def name(self) -> str:
        """A physical name like the ones CloudFormation makes when a template gives none."""
        return f"{kebab(self.kind)}-{self.token('name', 12, LOWER)}"


Hook = Callable[[dict[str, Any], Context], None]


def _set(model: dict[str, Any], key: str, value: Any) -> None:
    model.setdefault(key, value)


def _lambda_function(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "FunctionName", ctx.name())
    _set(model, "Arn", ctx.arn(f"function:{model['FunctionName']}"))


def _lambda_alias(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "AliasArn", ctx.arn(f"function:{model.get('FunctionName')}:{model.get('Name')}"))


def _iam_role(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "RoleName", ctx.name())
    path = model.get("Path") or "/"
    _set(model, "Arn", f"arn:aws:iam::{ctx.account}:role{path}{model['RoleName']}")
    _set(model, "RoleId", "AROA" + ctx.token("role-id", 17, UPPER))


def _s3_bucket(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "BucketName", ctx.name())
    name, region = model["BucketName"], ctx.region
    _set(model, "Arn", f"arn:aws:s3:::{name}")
    _set(model, "DomainName", f"{name}.s3.amazonaws.com")
    _set(model, "RegionalDomainName", f"{name}.s3.{region}.amazonaws.com")
    _set(model, "DualStackDomainName", f"{name}.s3.dualstack.{region}.amazonaws.com")
    _set(model, "WebsiteURL", f"http://{name}.s3-website-{region}.amazonaws.com")


def _ec2_vpc(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "VpcId", ctx.ec2_id())
    _set(model, "DefaultSecurityGroup", f"sg-{ctx.token('default-sg', 17)}")
    _set(model, "DefaultNetworkAcl", f"acl-{ctx.token('default-acl', 17)}")
    _set(model, "CidrBlockAssociations", [f"vpc-cidr-assoc-{ctx.token('cidr-assoc', 17)}"])
    _set(model, "Ipv6CidrBlocks", [])


def _ec2_subnet(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "SubnetId", ctx.ec2_id())
    _set(model, "NetworkAclAssociationId", f"aclassoc-{ctx.token('acl-assoc', 17)}")


def _ec2_security_group(model: dict[str, Any], ctx: Context) -> None:
    group_id = model.get("GroupId") or ctx.ec2_id()
    _set(model, "GroupId", group_id)
    # Cloud Control's identifier for a VPC security group is its group id.
    _set(model, "Id", group_id)


def _logs_log_group(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "LogGroupName", ctx.name())
    _set(model, "Arn", ctx.arn(f"log-group:{model['LogGroupName']}:*"))


def _dynamodb_table(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "TableName", ctx.name())
    arn = ctx.arn(f"table/{model['TableName']}")
    _set(model, "Arn", arn)
    if "StreamSpecification" in model:
        _set(model, "StreamArn", f"{arn}/stream/2024-06-01T12:00:00.000")


def _sqs_queue(model: dict[str, Any], ctx: Context) -> None:
    suffix = ".fifo" if model.get("FifoQueue") else ""
    _set(model, "QueueName", ctx.name() + suffix)
    name = model["QueueName"]
    _set(model, "QueueUrl", f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}")
    _set(model, "Arn", ctx.arn(name))


def _sns_topic(model: dict[str, Any], ctx: Context) -> None:
    suffix = ".fifo" if model.get("FifoTopic") else ""
    name = model.get("TopicName") or ctx.name() + suffix
    _set(model, "TopicArn", ctx.arn(name))


def _eks_cluster(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "Name", ctx.name())
    name = model["Name"]
    endpoint_id = ctx.token("endpoint", 32, UPPER[:26] + "0123456789")
    _set(model, "Arn", ctx.arn(f"cluster/{name}"))
    _set(model, "Id", ctx.uuid("id"))
    _set(model, "Endpoint", f"https://{endpoint_id}.gr7.{ctx.region}.eks.amazonaws.com")
    _set(model, "ClusterSecurityGroupId", f"sg-{ctx.token('cluster-sg', 17)}")
    _set(model, "OpenIdConnectIssuerUrl", f"https://oidc.eks.{ctx.region}.amazonaws.com/id/{endpoint_id}")
    _set(model, "CertificateAuthorityData", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" + ctx.token("ca", 40, LOWER))


def _eks_nodegroup(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "NodegroupName", ctx.name())
    cluster, nodegroup = model.get("ClusterName"), model["NodegroupName"]
    _set(model, "Id", f"{cluster}|{nodegroup}")
    _set(model, "Arn", ctx.arn(f"nodegroup/{cluster}/{nodegroup}/{ctx.uuid('arn')}"))


def _kms_key(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "KeyId", ctx.uuid("key-id"))
    _set(model, "Arn", ctx.arn(f"key/{model['KeyId']}"))


def _ecr_repository(model: dict[str, Any], ctx: Context) -> None:
    _set(model, "RepositoryName", ctx.name())
    name = model["RepositoryName"]
    _set(model, "Arn", ctx.arn(f"repository/{name}"))
    _set(model, "RepositoryUri", f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{name}")


HOOKS: dict[str, Hook] = {
    "AWS::Lambda::Function": _lambda_function,
    "AWS::Lambda::Alias": _lambda_alias,
    "AWS::IAM::Role": _iam_role,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::EC2::VPC": _ec2_vpc,
    "AWS::EC2::Subnet": _ec2_subnet,
    "AWS::EC2::SecurityGroup": _ec2_security_group,
    "AWS::Logs::LogGroup": _logs_log_group,
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::SQS::Queue": _sqs_queue,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::EKS::Cluster": _eks_cluster,
    "AWS::EKS::Nodegroup": _eks_nodegroup,
    "AWS::KMS::Key": _kms_key,
    "AWS::ECR::Repository": _ecr_repository,
}


def complete_model(schema: ResourceSchema, model: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The model with what the service generates filled in: read-only values and any missing identifier."""
    hook = HOOKS.get(schema.type_name)
    if hook:
        hook(model, ctx)
    for name in [p for p in schema.properties if p in schema.read_only and p not in model]:
        value = _generic_value(schema, name, model, ctx)
        if value is not None:
            model[name] = value
    for name in schema.primary_identifier:
        if name not in model and not (_is_arn(name) and name in schema.read_only):
            model[name] = ctx.name() if name not in schema.read_only else ctx.token(f"id:{name}", 20)
    # ARNs last: they name the resource by the identifier filled in above.
    for name in [p for p in schema.properties if p in schema.read_only and p not in model]:
        if _is_arn(name) and schema.property_type(schema.properties[name]) == "string":
            model[name] = ctx.arn(f"{kebab(ctx.kind)}/{_display_name(schema, model, ctx)}")
    for name in schema.primary_identifier:
        model.setdefault(name, ctx.token(f"id:{name}", 20))
    return model


def _is_arn(name: str) -> bool:
    return name.endswith(("Arn", "ARN"))


def _display_name(schema: ResourceSchema, model: dict[str, Any], ctx: Context) -> str:
    for name in schema.primary_identifier:
        value = model.get(name)
        if isinstance(value, (str, int)) and not _is_arn(name):
            return str(value)
    return ctx.token("arn-name", 12, LOWER)


def _generic_value(schema: ResourceSchema, name: str, model: dict[str, Any], ctx: Context) -> Any:
    node = schema.resolve(schema.properties[name])
    kind = schema.property_type(schema.properties[name])
    if kind != "string" or _is_arn(name):
        return None
    if node.get("enum"):
        return node["enum"][0]
    lowered = name.lower()
    if lowered.endswith("id") or lowered.endswith("ids"):
        return ctx.ec2_id(name) if ctx.service == "ec2" else ctx.uuid(name)
    if lowered.endswith("name"):
        return ctx.name()
    if lowered.endswith(("url", "uri", "endpoint", "domainname", "dnsname")):
        host = f"{ctx.token(name, 10, LOWER)}.{ctx.service}.{ctx.region}.amazonaws.com"
        return host if lowered.endswith(("domainname", "dnsname")) else f"https://{host}"
    if any(word in lowered for word in ("time", "date", "created", "modified")):
        return FIXED_TIME
    return None


def identifier_of(schema: ResourceSchema, model: dict[str, Any]) -> str:
    """The primary identifier: its parts in schema order, joined by ``|``."""
    return "|".join(_as_text(model.get(name)) for name in schema.primary_identifier)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)

"""The sample account the sandbox starts with: account 123456789012 in us-east-1, us-west-2 and eu-west-1.

Counts at ``--fixture-scale 1`` (scale N multiplies every count by N):

=================================  =========  =========  =========
type                               us-east-1  us-west-2  eu-west-1
=================================  =========  =========  =========
AWS::Lambda::Function                     25         15         10
AWS::Lambda::EventInvokeConfig            13          8          5
AWS::Logs::LogGroup                       26         16         10
AWS::IAM::Role (global)                    8          8          8
AWS::S3::Bucket                            6          4          3
AWS::EC2::VPC                              2          2          2
AWS::EC2::Subnet                           6          6          6
AWS::EC2::SecurityGroup                    6          6          6
AWS::DynamoDB::Table                       5          3          2
AWS::SQS::Queue                            6          4          3
AWS::SNS::Topic                            3          2          2
AWS::EKS::Cluster                          1          1          0
AWS::EKS::Nodegroup                        2          1          0
=================================  =========  =========  =========

How they relate (so joins return rows):
- every region runs the first N of ``APPS`` as Lambda functions (same names in each region, as a multi-region
  deployment would); function ``Role`` is the ARN of ``<team>-lambda-role``;
- functions at even positions (0, 2, 4, ...) have an event invoke config, identifier ``<function>|$LATEST``,
  whose ``DestinationConfig.OnFailure.Destination`` is the region's ``lambda-failures`` queue ARN;
- every function has the log group ``/aws/lambda/<function>``; each EKS cluster has ``/aws/eks/<cluster>/cluster``;
- each region has a ``prod`` and a ``staging`` VPC, each with subnets ``<env>-private-a``, ``<env>-private-b``,
  ``<env>-public-a`` and security groups ``default`` (the VPC's ``DefaultSecurityGroup``), ``<env>-app-sg``,
  ``<env>-db-sg``; functions at positions divisible by 5 run in the prod VPC's private subnets;
- ``prod-eks`` (us-east-1, nodegroups ``general`` and ``spot``) and ``staging-eks`` (us-west-2, nodegroup
  ``general``) use the ``eks-cluster-role`` and ``eks-node-role`` and their VPC's private subnets;
- IAM is global, as in AWS: the 8 roles are the same set from every region.

Copies made by a scale above 1 carry the suffix ``-2``, ``-3``, ... on every name (bucket
``acme-logs-us-east-1-2``, function ``orders-api-2`` with role ``orders-lambda-role-2``) and relate among
themselves the same way. Generated ids (VPC, subnet and security group ids, role ids) are hashes of region,
type and name: the same in every run.

Member accounts of an Organization (``--accounts N``) hold the same kinds of resources, related the same
way, with three differences (``member_profile``):
- how many functions run in each region (and so how many log groups and event invoke configs) is drawn
  from the seed and the account id, between 1 and the sample account's count: the same for a seed in
  every run, different from account to account;
- their bucket names end in ``-<account id>``, since S3 bucket names are one namespace across accounts;
- each has the role the Organization made when it created the account, ``OrganizationAccountAccessRole``
  (or ``--org-role``), trusting the management account and holding AdministratorAccess. Evidence:
  botocore's organizations model, CreateAccountRequest.RoleName — "The name of an IAM role that
  Organizations automatically preconfigures in the new member account. This role trusts the management
  account ... The role has administrator permissions in the new member account. If you don't specify this
  parameter, the role name defaults to OrganizationAccountAccessRole"; gsa/devsecops-subaccount-admin — its
  trust policy, ``"Principal": {"AWS": "arn:aws:iam::${var.mgmt_account}:root"}``, ``"Action":
  "sts:AssumeRole"``. The management account has no such role (it was not created by the Organization).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FIXTURE_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
ROLE_REGION = "us-east-1"  # where the global roles are made; they are visible from every region

# (function name, team) in the order the functions are made.
APPS: tuple[tuple[str, str], ...] = (
    ("orders-api", "orders"),
    ("orders-worker", "orders"),
    ("payments-api", "payments"),
    ("payments-webhook", "payments"),
    ("inventory-sync", "inventory"),
    ("inventory-api", "inventory"),
    ("users-api", "platform"),
    ("auth-authorizer", "platform"),
    ("email-sender", "notifications"),
    ("sms-sender", "notifications"),
    ("image-resizer", "data"),
    ("thumbnail-generator", "data"),
    ("report-builder", "data"),
    ("nightly-export", "data"),
    ("audit-logger", "platform"),
    ("search-indexer", "data"),
    ("cart-api", "orders"),
    ("checkout-api", "orders"),
    ("shipping-tracker", "orders"),
    ("invoice-generator", "payments"),
    ("fraud-detector", "payments"),
    ("recommendations", "data"),
    ("feature-flags", "platform"),
    ("health-check", "platform"),
    ("cleanup-cron", "platform"),
)
TEAMS = ("orders", "payments", "inventory", "platform", "notifications", "data")
FUNCTION_COUNTS = {"us-east-1": 25, "us-west-2": 15, "eu-west-1": 10}
TEAM_TABLES = {"orders": "orders", "payments": "payments", "inventory": "inventory", "platform": "users"}

ROLE_NAMES: tuple[str, ...] = (*(f"{team}-lambda-role" for team in TEAMS), "eks-cluster-role", "eks-node-role")
BUCKET_PURPOSES = {
    "us-east-1": ("artifacts", "logs", "data-lake", "static-site", "backups", "terraform-state"),
    "us-west-2": ("artifacts", "logs", "backups", "data-lake"),
    "eu-west-1": ("artifacts", "logs", "backups"),
}
TABLE_NAMES = {
    "us-east-1": ("orders", "payments", "inventory", "users", "sessions"),
    "us-west-2": ("orders", "users", "sessions"),
    "eu-west-1": ("orders", "users"),
}
QUEUE_NAMES = {
    "us-east-1": (
        "orders-dlq",
        "orders-queue",
        "notifications-dlq",
        "notifications-queue",
        "payments-events.fifo",
        "lambda-failures",
    ),
    "us-west-2": ("orders-dlq", "orders-queue", "notifications-queue", "lambda-failures"),
    "eu-west-1": ("orders-dlq", "orders-queue", "lambda-failures"),
}
TOPIC_NAMES = {
    "us-east-1": ("order-events", "alerts", "billing-alerts"),
    "us-west-2": ("order-events", "alerts"),
    "eu-west-1": ("order-events", "alerts"),
}
VPC_ENVIRONMENTS = ("prod", "staging")
SUBNETS = (("private-a", "a", 1, False), ("private-b", "b", 2, False), ("public-a", "a", 101, True))
VPC_OCTETS = {"us-east-1": 0, "us-west-2": 16, "eu-west-1": 32}
# cluster name -> (region, VPC environment, nodegroups)
EKS_CLUSTERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "prod-eks": ("us-east-1", "prod", ("general", "spot")),
    "staging-eks": ("us-west-2", "staging", ("general",)),
}

LAMBDA_FUNCTION_NAMES: dict[str, tuple[str, ...]] = {
    region: tuple(name for name, _ in APPS[:count]) for region, count in FUNCTION_COUNTS.items()
}
S3_BUCKET_NAMES: dict[str, tuple[str, ...]] = {
    region: tuple(f"acme-{purpose}-{region}" for purpose in purposes) for region, purposes in BUCKET_PURPOSES.items()
}


ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass(frozen=True)
class AccessRole:
    """The role an Organization makes in a member account it creates: trusts the management account."""

    name: str
    trusted_account: str
    external_id: str | None = None  # when set, the trust also requires this sts:ExternalId

    def trust_policy(self) -> dict[str, Any]:
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{self.trusted_account}:root"},
            "Action": "sts:AssumeRole",
        }
        if self.external_id is not None:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": self.external_id}}
        return {"Version": "2012-10-17", "Statement": [statement]}


@dataclass(frozen=True)
class FixtureProfile:
    """What one account holds beyond the common set (see the module docstring)."""

    function_counts: Mapping[str, int] = field(default_factory=lambda: dict(FUNCTION_COUNTS))
    bucket_suffix: str = ""
    access_role: AccessRole | None = None


SAMPLE_PROFILE = FixtureProfile()


def member_profile(account: str, seed: int, access_role: AccessRole) -> FixtureProfile:
    """A member account's profile: its function counts drawn from the seed and its id."""
    draw = random.Random(f"{seed}|fixtures|{account}")
    counts = {region: draw.randint(1, FUNCTION_COUNTS[region]) for region in FIXTURE_REGIONS}
    return FixtureProfile(counts, f"-{account}", access_role)


def _per_region(counts: Callable[[str], int]) -> dict[str, int]:
    return {region: counts(region) for region in FIXTURE_REGIONS}


def _clusters_in(region: str) -> list[str]:
    return [name for name, (where, _, _) in EKS_CLUSTERS.items() if where == region]


def fixture_counts(profile: FixtureProfile = SAMPLE_PROFILE) -> dict[str, dict[str, int]]:
    """Type -> region -> how many resources an account of this profile holds at scale 1 (IAM, global, is
    counted in every region, as every region's list shows it)."""
    functions = profile.function_counts
    roles = len(ROLE_NAMES) + (profile.access_role is not None)
    return {
        "AWS::Lambda::Function": _per_region(lambda r: functions[r]),
        "AWS::Lambda::EventInvokeConfig": _per_region(lambda r: (functions[r] + 1) // 2),
        "AWS::Logs::LogGroup": _per_region(lambda r: functions[r] + len(_clusters_in(r))),
        "AWS::IAM::Role": _per_region(lambda r: roles),
        "AWS::S3::Bucket": _per_region(lambda r: len(BUCKET_PURPOSES[r])),
        "AWS::EC2::VPC": _per_region(lambda r: len(VPC_ENVIRONMENTS)),
        "AWS::EC2::Subnet": _per_region(lambda r: len(VPC_ENVIRONMENTS) * len(SUBNETS)),
        "AWS::EC2::SecurityGroup": _per_region(lambda r: len(VPC_ENVIRONMENTS) * 3),
        "AWS::DynamoDB::Table": _per_region(lambda r: len(TABLE_NAMES[r])),
        "AWS::SQS::Queue": _per_region(lambda r: len(QUEUE_NAMES[r])),
        "AWS::SNS::Topic": _per_region(lambda r: len(TOPIC_NAMES[r])),
        "AWS::EKS::Cluster": _per_region(lambda r: len(_clusters_in(r))),
        "AWS::EKS::Nodegroup": _per_region(lambda r: sum(len(EKS_CLUSTERS[c][2]) for c in _clusters_in(r))),
    }


FIXTURE_COUNTS: dict[str, dict[str, int]] = fixture_counts()


def fixture_count(type_name: str, region: str, scale: int = 1) -> int:
    """How many resources of a type the sample account has in a region (0 for types it lacks)."""
    return FIXTURE_COUNTS.get(type_name, {}).get(region, 0) * scale


# add(region, type name, desired state, key) -> the stored model, with generated values filled in
AddResource = Callable[[str, str, dict[str, Any], str], dict[str, Any]]


def _suffix(copy: int) -> str:
    return "" if copy == 0 else f"-{copy + 1}"


def _tags(**pairs: str) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in pairs.items()]


def load_fixtures(add: AddResource, scale: int = 1, profile: FixtureProfile = SAMPLE_PROFILE) -> None:
    for copy in range(scale):
        roles = _roles(add, copy)
        for region in FIXTURE_REGIONS:
            _region(add, region, copy, roles, profile)
    if profile.access_role is not None:
        _access_role(add, profile.access_role)


def _access_role(add: AddResource, role: AccessRole) -> None:
    add(
        ROLE_REGION,
        "AWS::IAM::Role",
        {
            "RoleName": role.name,
            "Path": "/",
            "AssumeRolePolicyDocument": role.trust_policy(),
            "ManagedPolicyArns": [ADMINISTRATOR_ACCESS],
            "MaxSessionDuration": 3600,
        },
        role.name,
    )


def _roles(add: AddResource, copy: int) -> dict[str, str]:
    """The role ARNs by base name."""
    trust = {
        "eks-cluster-role": "eks.amazonaws.com",
        "eks-node-role": "ec2.amazonaws.com",
    }
    policies = {
        "eks-cluster-role": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
        "eks-node-role": [
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        ],
    }
    arns = {}
    for base in ROLE_NAMES:
        name = base + _suffix(copy)
        service = trust.get(base, "lambda.amazonaws.com")
        team = base.split("-")[0]
        model = add(
            ROLE_REGION,
            "AWS::IAM::Role",
            {
                "RoleName": name,
                "Path": "/",
                "Description": f"Execution role for {team} workloads",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
                },
                "ManagedPolicyArns": policies.get(
                    base, ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
                ),
                "MaxSessionDuration": 3600,
                "Tags": _tags(team=team, env="prod"),
            },
            name,
        )
        arns[base] = model["Arn"]
    return arns


def _region(add: AddResource, region: str, copy: int, roles: dict[str, str], profile: FixtureProfile) -> None:
    suffix = _suffix(copy)
    buckets = _buckets(add, region, suffix + profile.bucket_suffix)
    vpcs = {env: _vpc(add, region, env, copy) for env in VPC_ENVIRONMENTS}
    tables = _tables(add, region, suffix)
    queues = _queues(add, region, suffix)
    topics = _topics(add, region, suffix)
    count = profile.function_counts[region]
    _functions(add, region, suffix, count, roles, buckets, vpcs["prod"], tables, queues, topics)
    for cluster, (where, env, nodegroups) in EKS_CLUSTERS.items():
        if where == region:
            _eks(add, region, cluster + suffix, nodegroups, vpcs[env], roles)


def _buckets(add: AddResource, region: str, suffix: str) -> dict[str, str]:
    names = {}
    for index, purpose in enumerate(BUCKET_PURPOSES[region]):
        name = f"acme-{purpose}-{region}{suffix}"
        desired: dict[str, Any] = {
            "BucketName": name,
            "VersioningConfiguration": {"Status": "Enabled" if index % 2 == 0 else "Suspended"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms" if index % 3 == 2 else "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": purpose != "static-site",
                "BlockPublicPolicy": purpose != "static-site",
                "IgnorePublicAcls": purpose != "static-site",
                "RestrictPublicBuckets": purpose != "static-site",
            },
            "Tags": _tags(purpose=purpose, env="prod"),
        }
        if purpose == "logs":
            desired["LifecycleConfiguration"] = {
                "Rules": [{"Id": "expire-old-logs", "Status": "Enabled", "ExpirationInDays": 90}]
            }
        if purpose == "static-site":
            desired["WebsiteConfiguration"] = {"IndexDocument": "index.html", "ErrorDocument": "error.html"}
        add(region, "AWS::S3::Bucket", desired, name)
        names[purpose] = name
    return names


def _vpc(add: AddResource, region: str, env: str, copy: int) -> dict[str, Any]:
    """The VPC's model plus ``subnets`` (name -> id) and ``groups`` (name -> id)."""
    suffix = _suffix(copy)
    octet = (VPC_OCTETS[region] + VPC_ENVIRONMENTS.index(env) + 2 * copy) % 256
    vpc = add(
        region,
        "AWS::EC2::VPC",
        {
            "CidrBlock": f"10.{octet}.0.0/16",
            "EnableDnsSupport": True,
            "EnableDnsHostnames": True,
            "InstanceTenancy": "default",
            "Tags": _tags(Name=f"{env}-vpc{suffix}", env=env),
        },
        f"{env}-vpc{suffix}",
    )
    subnets = {}
    for name, zone, third, public in SUBNETS:
        subnet = add(
            region,
            "AWS::EC2::Subnet",
            {
                "VpcId": vpc["VpcId"],
                "CidrBlock": f"10.{octet}.{third}.0/24",
                "AvailabilityZone": f"{region}{zone}",
                "MapPublicIpOnLaunch": public,
                "Tags": _tags(Name=f"{env}-{name}{suffix}", env=env, tier="public" if public else "private"),
            },
            f"{env}-{name}{suffix}",
        )
        subnets[name] = subnet["SubnetId"]
    everywhere = {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}
    default = add(
        region,
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": "default",
            "GroupDescription": "default VPC security group",
            "VpcId": vpc["VpcId"],
            "GroupId": vpc["DefaultSecurityGroup"],
            "SecurityGroupEgress": [everywhere],
        },
        f"{env}-default-sg{suffix}",
    )
    app = add(
        region,
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": f"{env}-app-sg{suffix}",
            "GroupDescription": f"{env} application servers",
            "VpcId": vpc["VpcId"],
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0", "Description": "HTTPS"}
            ],
            "SecurityGroupEgress": [everywhere],
            "Tags": _tags(Name=f"{env}-app-sg{suffix}", env=env),
        },
        f"{env}-app-sg{suffix}",
    )
    database = add(
        region,
        "AWS::EC2::SecurityGroup",
        {
            "GroupName": f"{env}-db-sg{suffix}",
            "GroupDescription": f"{env} databases",
            "VpcId": vpc["VpcId"],
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": app["GroupId"]}
            ],
            "SecurityGroupEgress": [everywhere],
            "Tags": _tags(Name=f"{env}-db-sg{suffix}", env=env),
        },
        f"{env}-db-sg{suffix}",
    )
    groups = {"default": default["GroupId"], "app": app["GroupId"], "db": database["GroupId"]}
    return {**vpc, "subnets": subnets, "groups": groups}


def _tables(add: AddResource, region: str, suffix: str) -> dict[str, str]:
    names = {}
    for index, base in enumerate(TABLE_NAMES[region]):
        name = base + suffix
        desired: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": index % 2 == 0},
            "SSESpecification": {"SSEEnabled": True},
            "TableClass": "STANDARD",
            "DeletionProtectionEnabled": base in ("orders", "payments"),
            "Tags": _tags(team=base, env="prod"),
        }
        if base == "sessions":
            desired["BillingMode"] = "PROVISIONED"
            desired["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            desired["TimeToLiveSpecification"] = {"AttributeName": "expires_at", "Enabled": True}
        else:
            desired["BillingMode"] = "PAY_PER_REQUEST"
        if base in ("orders", "inventory"):
            desired["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        add(region, "AWS::DynamoDB::Table", desired, name)
        names[base] = name
    return names


def _queues(add: AddResource, region: str, suffix: str) -> dict[str, str]:
    """Queue ARNs by base name."""
    arns: dict[str, str] = {}
    for base in QUEUE_NAMES[region]:
        fifo = base.endswith(".fifo")
        name = base.removesuffix(".fifo") + suffix + (".fifo" if fifo else "")
        desired: dict[str, Any] = {
            "QueueName": name,
            "VisibilityTimeout": 60 if base.endswith("-queue") else 30,
            "MessageRetentionPeriod": 1209600 if base.endswith(("-dlq", "-failures")) else 345600,
            "SqsManagedSseEnabled": True,
            "Tags": _tags(team=base.split("-")[0], env="prod"),
        }
        if fifo:
            desired["FifoQueue"] = True
            desired["ContentBasedDeduplication"] = True
        dead_letter = base.replace("-queue", "-dlq")
        if base.endswith("-queue") and dead_letter in arns:
            desired["RedrivePolicy"] = {"deadLetterTargetArn": arns[dead_letter], "maxReceiveCount": 5}
        arns[base] = add(region, "AWS::SQS::Queue", desired, name)["Arn"]
    return arns


def _topics(add: AddResource, region: str, suffix: str) -> dict[str, str]:
    arns = {}
    for base in TOPIC_NAMES[region]:
        name = base + suffix
        desired = {"TopicName": name, "DisplayName": base.replace("-", " ").title(), "Tags": _tags(env="prod")}
        arns[base] = add(region, "AWS::SNS::Topic", desired, name)["TopicArn"]
    return arns


RUNTIMES = ("python3.12", "nodejs20.x", "python3.12", "python3.11", "nodejs18.x", "java21", "nodejs20.x")
HANDLERS = {"python": "app.handler", "nodejs": "index.handler", "java21": "com.acme.Handler::handleRequest"}


def _handler(runtime: str) -> str:
    return HANDLERS.get(runtime) or HANDLERS["python" if runtime.startswith("python") else "nodejs"]


def _functions(
    add: AddResource,
    region: str,
    suffix: str,
    count: int,
    roles: dict[str, str],
    buckets: dict[str, str],
    vpc: dict[str, Any],
    tables: dict[str, str],
    queues: dict[str, str],
    topics: dict[str, str],
) -> None:
    for index, (base, team) in enumerate(APPS[:count]):
        name = base + suffix
        runtime = RUNTIMES[index % len(RUNTIMES)]
        variables = {"LOG_LEVEL": "DEBUG" if index % 4 == 3 else "INFO", "STAGE": "prod", "TEAM": team}
        table = TEAM_TABLES.get(team)
        if table in tables:
            variables["TABLE_NAME"] = tables[table]
        desired: dict[str, Any] = {
            "FunctionName": name,
            "Description": f"{base.replace('-', ' ')} for the {team} team",
            "Runtime": runtime,
            "Handler": _handler(runtime),
            "MemorySize": (128, 256, 512, 1024, 1536)[index % 5],
            "Timeout": (3, 15, 30, 60)[index % 4],
            "Role": roles[f"{team}-lambda-role"],
            "Architectures": ["arm64" if index % 3 == 0 else "x86_64"],
            "PackageType": "Zip",
            "Code": {"S3Bucket": buckets["artifacts"], "S3Key": f"lambda/{base}/{index + 1}.0.0.zip"},
            "Environment": {"Variables": variables},
            "TracingConfig": {"Mode": "Active" if index % 2 == 0 else "PassThrough"},
            "EphemeralStorage": {"Size": 1024 if index % 6 == 5 else 512},
            "LoggingConfig": {"LogFormat": "JSON" if index % 2 == 0 else "Text", "LogGroup": f"/aws/lambda/{name}"},
            "Tags": _tags(team=team, env="prod", app=base),
        }
        if index % 5 == 0:
            desired["VpcConfig"] = {
                "SubnetIds": [vpc["subnets"]["private-a"], vpc["subnets"]["private-b"]],
                "SecurityGroupIds": [vpc["groups"]["app"]],
            }
        if index % 4 == 1:
            desired["DeadLetterConfig"] = {"TargetArn": queues["lambda-failures"]}
        if index % 6 == 2:
            desired["ReservedConcurrentExecutions"] = 10 * (index % 5 + 1)
        add(region, "AWS::Lambda::Function", desired, name)
        add(
            region,
            "AWS::Logs::LogGroup",
            {
                "LogGroupName": f"/aws/lambda/{name}",
                "RetentionInDays": (7, 14, 30, 90, 365)[index % 5],
                "LogGroupClass": "STANDARD",
                "Tags": _tags(team=team, app=base),
            },
            f"/aws/lambda/{name}",
        )
        if index % 2 == 0:
            destination: dict[str, Any] = {"OnFailure": {"Destination": queues["lambda-failures"]}}
            if index % 4 == 0:
                destination["OnSuccess"] = {"Destination": topics["order-events"]}
            add(
                region,
                "AWS::Lambda::EventInvokeConfig",
                {
                    "FunctionName": name,
                    "Qualifier": "$LATEST",
                    "MaximumRetryAttempts": index % 3,
                    "MaximumEventAgeInSeconds": (3600, 21600, 600)[index % 3],
                    "DestinationConfig": destination,
                },
                f"{name}|$LATEST",
            )


def _eks(
    add: AddResource,
    region: str,
    cluster: str,
    nodegroups: tuple[str, ...],
    vpc: dict[str, Any],
    roles: dict[str, str],
) -> None:
    private = [vpc["subnets"]["private-a"], vpc["subnets"]["private-b"]]
    add(
        region,
        "AWS::EKS::Cluster",
        {
            "Name": cluster,
            "Version": "1.30",
            "RoleArn": roles["eks-cluster-role"],
            "ResourcesVpcConfig": {
                "SubnetIds": private,
                "SecurityGroupIds": [vpc["groups"]["app"]],
                "EndpointPublicAccess": True,
                "EndpointPrivateAccess": True,
            },
            "KubernetesNetworkConfig": {"ServiceIpv4Cidr": "172.20.0.0/16", "IpFamily": "ipv4"},
            "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "api"}, {"Type": "audit"}]}},
            "Tags": _tags(env=cluster.split("-")[0]),
        },
        cluster,
    )
    add(
        region,
        "AWS::Logs::LogGroup",
        {"LogGroupName": f"/aws/eks/{cluster}/cluster", "RetentionInDays": 30, "LogGroupClass": "STANDARD"},
        f"/aws/eks/{cluster}/cluster",
    )
    for nodegroup in nodegroups:
        spot = nodegroup == "spot"
        add(
            region,
            "AWS::EKS::Nodegroup",
            {
                "ClusterName": cluster,
                "NodegroupName": nodegroup,
                "NodeRole": roles["eks-node-role"],
                "Subnets": private,
                "ScalingConfig": {"MinSize": 0 if spot else 2, "MaxSize": 10 if spot else 6, "DesiredSize": 2},
                "InstanceTypes": ["m6i.large", "m5.large"] if spot else ["m6i.large"],
                "CapacityType": "SPOT" if spot else "ON_DEMAND",
                "AmiType": "AL2023_x86_64_STANDARD",
                "DiskSize": 50,
                "Labels": {"workload": nodegroup},
                "Tags": {"env": cluster.split("-")[0], "nodegroup": nodegroup},
            },
            f"{cluster}|{nodegroup}",
        )

"""A local Cloud Control API endpoint that real boto3 clients and the AWS CLI can talk to.

    from awsql_shell.sandbox import SandboxConfig, start_sandbox

    with start_sandbox(SandboxConfig(request_delay_ms=50)) as sandbox:
        client = boto3.client("cloudcontrol", endpoint_url=sandbox.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")

or from a shell: ``python -m awsql_shell.sandbox --port 0`` (first line: ``listening on http://127.0.0.1:PORT``).
``boto3.client("sts" | "organizations", endpoint_url=sandbox.url, ...)`` work on the same URL.

The account is ``123456789012``; its sample resources and their counts are described in
``awsql_shell.sandbox.fixtures`` (``FIXTURE_COUNTS``, ``LAMBDA_FUNCTION_NAMES``, ...). With
``SandboxConfig(accounts=N)`` it is the management account of an Organization of N accounts
(``awsql_shell.sandbox.organization``: ``account_ids(N)``, members ``200000000001``...). Nothing outside this
package imports it except the code that starts it for ``awsql --sandbox``.
"""

from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.errors import SandboxStateError
from awsql_shell.sandbox.fixtures import (
    FIXTURE_COUNTS,
    FIXTURE_REGIONS,
    LAMBDA_FUNCTION_NAMES,
    ROLE_NAMES,
    S3_BUCKET_NAMES,
    fixture_count,
)
from awsql_shell.sandbox.generate import ACCOUNT_ID
from awsql_shell.sandbox.organization import MANAGEMENT_ACCOUNT_ID, Organization, account_ids, member_account_id
from awsql_shell.sandbox.server import RunningSandbox, start_sandbox

__all__ = [
    "ACCOUNT_ID",
    "FIXTURE_COUNTS",
    "FIXTURE_REGIONS",
    "LAMBDA_FUNCTION_NAMES",
    "MANAGEMENT_ACCOUNT_ID",
    "ROLE_NAMES",
    "S3_BUCKET_NAMES",
    "Organization",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxStateError",
    "account_ids",
    "fixture_count",
    "member_account_id",
    "start_sandbox",
]

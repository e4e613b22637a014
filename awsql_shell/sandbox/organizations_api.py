"""AWS Organizations as the sandbox answers it: the Organization of ``organization.py``, read-only.

Operations (shapes from botocore's organizations model 2016-11-28; its examples-1.json for the answers):
DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent, ListAccounts, ListAccountsForParent,
DescribeAccount, ListChildren and ListParents. Lists page by ``MaxResults`` (1 to 20, the model's range)
and answer 20 a page without it: kosty-cloud/kosty#10 — "more than 20 accounts, it does not paginate ...
it will take the AWS default limit max of 20".

Who may call (each operation's documentation in the model):
- the sample account alone is in no Organization: every operation answers
  ``AWSOrganizationsNotInUseException`` "Your account is not a member of an organization." (duo-labs/
  cloudmapper#733, for DescribeOrganization and ListAccounts);
- DescribeOrganization "can be called from any account in a organization";
- every other operation "You can only call this operation from the management account or a member account
  that is a delegated administrator" (``--delegated-admin``); from another member it answers
  ``AccessDeniedException`` "You don't have permissions to access this resource." (aws-samples/aws-iam-
  access-key-auto-rotation#10 for ListAccounts, awslabs/aws-innovation-sandbox#6 for ListRoots).

Errors for bad input are those the model lists, with the model's own description of each as the message
(the service's exact sentences are not public): ParentNotFoundException, AccountNotFoundException,
ChildNotFoundException, and InvalidInputException with the model's Reason (MAX_VALUE_EXCEEDED,
INVALID_PATTERN, INVALID_NEXT_TOKEN, INVALID_ENUM). All answer HTTP 400: nozaq/terraform-aws-secure-
baseline#70 — "AWSOrganizationsNotInUseException: Your account is not a member of an organization. status
code: 400".
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.credentials import Principal
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.organization import Account, Organization, Unit

Json = dict[str, Any]
DEFAULT_PAGE_SIZE = 20
MAX_RESULTS = 20  # botocore's organizations model: MaxResults max 20
# botocore's organizations model patterns.
_PARENT_ID = re.compile(r"(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})")
_CHILD_ID = re.compile(r"(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})")
_ACCOUNT_ID = re.compile(r"\d{12}")
# Policy types as botocore's examples show them for an organization and its root.
POLICY_TYPES = ({"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},)

NOT_IN_USE = "Your account is not a member of an organization."
ACCESS_DENIED = "You don't have permissions to access this resource."


def _invalid(reason: str, message: str) -> ApiError:
    return ApiError("InvalidInputException", message, extra={"Reason": reason})


def _pattern(value: Any, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise _invalid(
            "INVALID_PATTERN",
            "You provided a value that doesn't match the required pattern.",
        )
    return value


class OrganizationsService:
    def __init__(self, config: SandboxConfig):
        self.config = config
        self.organization: Organization | None = config.organization

    def dispatch(self, operation: str, principal: Principal, params: Json) -> Json:
        handler = self.HANDLERS.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"Unknown operation AWSOrganizationsV20161128.{operation}")
        organization = self.organization
        if organization is None or organization.account(principal.account) is None:
            raise ApiError("AWSOrganizationsNotInUseException", NOT_IN_USE)
        if operation != "DescribeOrganization" and not self._administers(principal.account):
            raise ApiError("AccessDeniedException", ACCESS_DENIED)
        return handler(self, organization, params)

    def _administers(self, account: str) -> bool:
        return account == self.config.account_ids[0] or account in self.config.delegated_admins

    # -- the organization and its tree ---------------------------------------------------------

    def describe_organization(self, organization: Organization, params: Json) -> Json:
        management = organization.account(organization.management)
        assert management is not None
        return {
            "Organization": {
                "Id": organization.id,
                "Arn": organization.arn,
                "FeatureSet": "ALL",
                "MasterAccountArn": organization.account_arn(management.id),
                "MasterAccountId": management.id,
                "MasterAccountEmail": management.email,
                "AvailablePolicyTypes": list(POLICY_TYPES),
            }
        }

    def list_roots(self, organization: Organization, params: Json) -> Json:
        root = {
            "Id": organization.root_id,
            "Arn": organization.root_arn,
            "Name": "Root",
            "PolicyTypes": list(POLICY_TYPES),
        }
        return self._page("ListRoots", "Roots", [root], params)

    def list_organizational_units_for_parent(self, organization: Organization, params: Json) -> Json:
        units, _ = organization.children(self._parent(organization, params))
        return self._page(
            "ListOrganizationalUnitsForParent",
            "OrganizationalUnits",
            [self._unit(organization, u) for u in units],
            params,
        )

    def list_children(self, organization: Organization, params: Json) -> Json:
        parent = self._parent(organization, params)
        kind = params.get("ChildType")
        if kind not in ("ACCOUNT", "ORGANIZATIONAL_UNIT"):
            raise _invalid("INVALID_ENUM", "You specified an invalid value.")
        units, accounts = organization.children(parent)
        ids = [u.id for u in units] if kind == "ORGANIZATIONAL_UNIT" else [a.id for a in accounts]
        return self._page("ListChildren", "Children", [{"Id": i, "Type": kind} for i in ids], params)

    def list_parents(self, organization: Organization, params: Json) -> Json:
        child = _pattern(params.get("ChildId"), _CHILD_ID)
        found: Account | Unit | None = organization.account(child) or organization.unit(child)
        if found is None:
            raise ApiError(
                "ChildNotFoundException",
                "We can't find an organizational unit (OU) or Amazon Web Services account with the ChildId that you "
                "specified.",
            )
        kind = "ROOT" if found.parent_id == organization.root_id else "ORGANIZATIONAL_UNIT"
        return self._page("ListParents", "Parents", [{"Id": found.parent_id, "Type": kind}], params)

    # -- accounts ------------------------------------------------------------------------------

    def list_accounts(self, organization: Organization, params: Json) -> Json:
        accounts = [self._account(organization, a) for a in organization.accounts]
        return self._page("ListAccounts", "Accounts", accounts, params)

    def list_accounts_for_parent(self, organization: Organization, params: Json) -> Json:
        _, accounts = organization.children(self._parent(organization, params))
        return self._page(
            "ListAccountsForParent", "Accounts", [self._account(organization, a) for a in accounts], params
        )

    def describe_account(self, organization: Organization, params: Json) -> Json:
        account = organization.account(_pattern(params.get("AccountId"), _ACCOUNT_ID))
        if account is None:
            raise ApiError(
                "AccountNotFoundException",
                "We can't find an Amazon Web Services account with the AccountId that you specified, or the account "
                "whose credentials you used to make this request isn't a member of an organization.",
            )
        return {"Account": self._account(organization, account)}

    HANDLERS: dict[str, Callable[[OrganizationsService, Organization, Json], Json]] = {
        "DescribeOrganization": describe_organization,
        "ListRoots": list_roots,
        "ListOrganizationalUnitsForParent": list_organizational_units_for_parent,
        "ListChildren": list_children,
        "ListParents": list_parents,
        "ListAccounts": list_accounts,
        "ListAccountsForParent": list_accounts_for_parent,
        "DescribeAccount": describe_account,
    }

    # -- shapes and pages ----------------------------------------------------------------------

    @staticmethod
    def _account(organization: Organization, account: Account) -> Json:
        return {
            "Id": account.id,
            "Arn": organization.account_arn(account.id),
            "Email": account.email,
            "Name": account.name,
            "Status": account.status,
            "State": account.status,
            "JoinedMethod": account.joined_method,
            "JoinedTimestamp": account.joined_timestamp,
        }

    @staticmethod
    def _unit(organization: Organization, unit: Unit) -> Json:
        return {"Id": unit.id, "Arn": organization.unit_arn(unit.id), "Name": unit.name}

    @staticmethod
    def _parent(organization: Organization, params: Json) -> str:
        parent = _pattern(params.get("ParentId"), _PARENT_ID)
        if not organization.is_parent(parent):
            raise ApiError(
                "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified."
            )
        return parent

    @staticmethod
    def _page(operation: str, key: str, items: Sequence[Json], params: Json) -> Json:
        size = params.get("MaxResults")
        if size is None:
            size = DEFAULT_PAGE_SIZE
        elif not isinstance(size, int) or size < 1:
            raise _invalid(
                "MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."
            )
        elif size > MAX_RESULTS:
            raise _invalid(
                "MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed."
            )
        # The token names the operation and the parent it pages, so it is not taken for another list's.
        context = f"{operation}|{params.get('ParentId', '')}|{params.get('ChildType', '')}|{params.get('ChildId', '')}"
        offset = _decode(params.get("NextToken"), context)
        answer: Json = {key: list(items[offset : offset + size])}
        if offset + size < len(items):
            answer["NextToken"] = _encode(offset + size, context)
        return answer


def _encode(offset: int, context: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([offset, context]).encode()).decode()


def _decode(token: Any, context: str) -> int:
    if token is None:
        return 0
    try:
        offset, seen = json.loads(base64.urlsafe_b64decode(str(token)))
        if seen == context and isinstance(offset, int) and offset >= 0:
            return offset
    except (ValueError, TypeError):
        pass
    raise _invalid(
        "INVALID_NEXT_TOKEN",
        "Get the value for the NextToken parameter from the response to a previous call of the operation.",
    )

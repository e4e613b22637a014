"""The Cloud Control operations, schema-driven for every type in the catalog.

Each operation takes where the call acts (``Where``: the account its credentials belong to and the region
it is signed for) and its JSON parameters, and returns the JSON answer, or raises ApiError. Resources,
requests and client tokens are per (account, region): one account never sees another's. Mutations are
asynchronous as in Cloud Control: they return an IN_PROGRESS event and take effect when their delay has
passed, at the next call (any call settles what is due).

Every call is one transaction: with a state file, it runs under the file's lock on the state as the
file holds it (re-read when another process saved since) and saves what it changed before the lock goes.

Behaviour chosen to match the real service (each rule that varies by type, and its evidence, is in
``behaviour``; each switch in ``SandboxConfig``):
- CreateResource of an existing identifier is accepted and then FAILS with ErrorCode AlreadyExists;
  DeleteResource of an unknown identifier FAILS with ErrorCode NotFound (both found by the handler).
- UpdateResource reads the resource first, so an unknown identifier fails at once as a read does, and a
  patch touching create-only properties is NotUpdatableException at once.
- A mutation of a resource with another request in progress is ConcurrentOperationException.
- ListResources returns only the primary identifier properties (the whole model for the types that do
  so on AWS); GetResource all but write-only ones. A list page holds the type's page size whatever
  MaxResults says.
- An account-wide type (S3) lists every region's resources from any region, and is read only at home.
- A denied read is a synchronous AccessDeniedException; a denied mutation is accepted and ends FAILED
  with ErrorCode AccessDenied, as a handler finds out only when it calls the service.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import heapq
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from awsql_shell.catalog import Catalog, ResourceSchema
from awsql_shell.errors import UnknownNameError
from awsql_shell.sandbox import behaviour, errors
from awsql_shell.sandbox.config import MAX_RESULTS_CEILING, SandboxConfig
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.faults import Fate, Faults
from awsql_shell.sandbox.generate import ACCOUNT_ID, Context, complete_model, identifier_of, partition_key
from awsql_shell.sandbox.pointer import (
    PatchError,
    apply_patch,
    parse_patch,
    reaches,
    schema_path,
    values_at,
    without,
)
from awsql_shell.sandbox.state import OPERATIONS, STATUSES, ResourceRequest, SandboxState, StateFile
from awsql_shell.sandbox.validate import validate_model

Json = dict[str, Any]


# The verbs IAM actions begin with for each handler operation, the likeliest first.
_PERMISSION_VERBS: dict[str, tuple[str, ...]] = {
    "create": ("Create", "Put"),
    "read": ("Get", "Describe"),
    "update": ("Update", "Put", "Modify"),
    "delete": ("Delete",),
    "list": ("List", "Describe"),
}


@dataclass(frozen=True)
class Where:
    """The account and region a call acts in."""

    account: str
    region: str


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@dataclass
class TypePlan:
    """What the service needs to know about one type, computed once from its schema."""

    schema: ResourceSchema

    def _paths(self, key: str) -> list[tuple[str, ...]]:
        return [schema_path(pointer) for pointer in self.schema.raw.get(key, [])]

    @cached_property
    def write_only(self) -> list[tuple[str, ...]]:
        return self._paths("writeOnlyProperties")

    @cached_property
    def read_only(self) -> list[tuple[str, ...]]:
        return self._paths("readOnlyProperties")

    @cached_property
    def nested_read_only(self) -> list[tuple[str, ...]]:
        return [path for path in self.read_only if len(path) > 1]

    @cached_property
    def create_only_pointers(self) -> list[str]:
        return list(self.schema.raw.get("createOnlyProperties", []))

    def public(self, model: Json) -> Json:
        """What reads return: everything but write-only properties."""
        return without(model, self.write_only) if self.write_only else model

    def listed(self, model: Json) -> Json:
        return {name: model[name] for name in self.schema.primary_identifier if name in model}


def _changed(before: Json, after: Json, pointers: list[str]) -> list[str]:
    changed = []
    for pointer in pointers:
        path = schema_path(pointer)
        if dict(values_at(before, path)) != dict(values_at(after, path)):
            changed.append(pointer)
    return changed


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(_compact(parts).encode()).hexdigest()


def _encode_token(offset: int, context: str) -> str:
    return base64.b64encode(_compact([offset, context[:16]]).encode()).decode()


def _decode_token(token: str | None, context: str) -> int:
    if not token:
        return 0
    try:
        offset, seen = json.loads(base64.b64decode(token, validate=True))
        if seen == context[:16] and isinstance(offset, int) and offset >= 0:
            return offset
    except (ValueError, TypeError):
        pass
    raise errors.invalid_request("Invalid NextToken: it was not returned by a previous call with the same parameters")


class CloudControl:
    def __init__(
        self,
        config: SandboxConfig,
        catalog: Catalog,
        state: SandboxState,
        clock: Callable[[], float] = time.time,
        faults: Faults | None = None,
        store: StateFile | None = None,
    ):
        self.config = config
        self.catalog = catalog
        self.state = state
        self.clock = clock
        self.faults = faults or Faults(config)
        self.store = store
        self.lock = threading.Lock()
        self._plans: dict[str, TypePlan] = {}
        self._sequence = itertools.count()
        self._dirty = False
        # created, not yet visible: (account, partition, type, identifier) -> when it shows
        self._hidden: dict[tuple[str, str, str, str], float] = {}
        self._index()

    # -- plumbing ---------------------------------------------------------------------------

    def dispatch(self, operation: str, region: str, params: Json, account: str = ACCOUNT_ID) -> Json:
        handler = self.HANDLERS.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"Unknown operation CloudApiService.{operation}")
        with self._transaction():
            return handler(self, Where(account, region), params)

    def read(self, look: Callable[[SandboxState], Any]) -> Any:
        """What ``look`` finds in the state as it stands (re-read first when another process saved since)."""
        with self._transaction():
            return look(self.state)

    def settle(self) -> None:
        """Complete what is due (and save it)."""
        with self._transaction():
            pass

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One call's work on the current state, saved at the end if it changed anything."""
        with self.lock:
            if self.store is None:
                self._settle(self.clock())
                yield
                return
            with self.store.locked():
                if self.store.changed():
                    self._reload()
                self._settle(self.clock())
                try:
                    yield
                finally:
                    if self._dirty:
                        self.store.save(self.state)
                        self._dirty = False

    def _reload(self) -> None:
        """Take the state another process saved; this process's own changes are all in it already."""
        assert self.store is not None
        state = self.store.load()
        if state is None:  # the file was deleted under us: keep what we have and write it back
            self._dirty = True
            return
        self.state = state
        self._index()

    def _persist(self) -> None:
        self._dirty = True

    def _index(self) -> None:
        """The lookups derived from the requests: client tokens, what is due, what is busy."""
        self._pending: list[tuple[float, int, str]] = []
        self._client_tokens: dict[tuple[str, str, str], str] = {}
        self._busy: dict[tuple[str, str, str, str], str] = {}
        for request in self.state.requests.values():
            self._track(request)

    def _track(self, request: ResourceRequest) -> None:
        if request.client_token:
            self._client_tokens[(request.account, request.region, request.client_token)] = request.token
        if request.active:
            due = request.due if request.status == "IN_PROGRESS" else request.event_time
            heapq.heappush(self._pending, (due, next(self._sequence), request.token))
            self._busy[self._key(Where(request.account, request.region), request.type_name, request.identifier)] = (
                request.token
            )

    @staticmethod
    def _key(where: Where, type_name: str, identifier: str) -> tuple[str, str, str, str]:
        return (where.account, partition_key(type_name, where.region), type_name, identifier)

    def plan(self, type_name: str) -> TypePlan:
        plan = self._plans.get(type_name)
        if plan is None:
            plan = self._plans[type_name] = TypePlan(self.catalog.schema(type_name))
        return plan

    def _type(self, params: Json, handler: str) -> TypePlan:
        type_name = self._required(params, "TypeName")
        if not isinstance(type_name, str):
            raise errors.validation("1 validation error detected: 'TypeName' must be a string")
        try:
            entry = self.catalog.entry(type_name)
        except UnknownNameError:
            raise errors.type_not_found(type_name) from None
        if handler not in entry.handlers:
            raise errors.unsupported_action(type_name, handler)
        return self.plan(type_name)

    @staticmethod
    def _required(params: Json, name: str) -> Any:
        value = params.get(name)
        if value is None or value == "":
            raise errors.validation(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint")
        return value

    def _identifier(self, plan: TypePlan, params: Json) -> str:
        raw = str(self._required(params, "Identifier"))
        names = plan.schema.primary_identifier
        if raw.startswith("{"):
            try:
                given = json.loads(raw)
            except ValueError:
                given = None
            if not isinstance(given, dict) or any(name not in given for name in names):
                raise errors.invalid_request(f"Identifier {raw} must name every primary identifier property: {names}")
            return identifier_of(plan.schema, given)
        if len(names) > 1 and raw.count("|") < len(names) - 1:
            raise errors.invalid_request(
                f"Identifier '{raw}' of {plan.schema.type_name} must have {len(names)} parts joined by '|': "
                + "|".join(names)
            )
        return raw

    @staticmethod
    def _max_results(params: Json) -> int | None:
        value = params.get("MaxResults")
        if value is None:
            return None
        if not isinstance(value, int) or not 1 <= value <= MAX_RESULTS_CEILING:
            raise errors.validation(
                f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: "
                f"Member must have value between 1 and {MAX_RESULTS_CEILING}"
            )
        return value

    def _list_page_size(self, type_name: str, params: Json) -> int:
        """The type's own page size; MaxResults is validated but, as on AWS, not obeyed."""
        requested = self._max_results(params)
        if requested is not None and self.config.honor_max_results:
            return requested
        return self.config.page_size or behaviour.page_size(type_name)

    def _parse_model(self, text: Any, what: str) -> Json:
        try:
            model = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            model = None
        if not isinstance(model, dict):
            raise errors.invalid_request(f"{what} must be a JSON object")
        return model

    # -- reads ------------------------------------------------------------------------------

    def list_resources(self, where: Where, params: Json) -> Json:
        plan = self._type(params, "list")
        schema = plan.schema
        self._check_access(where, plan, "list")
        wanted: Json = {}
        if params.get("ResourceModel") is not None:
            wanted = self._parse_model(params["ResourceModel"], "ResourceModel")
            unknown = [name for name in wanted if name not in schema.properties]
            if unknown:
                raise errors.invalid_request(f"ResourceModel has properties unknown to {schema.type_name}: {unknown}")
        missing = [name for name in schema.list_required if name not in wanted]
        if missing:
            raise errors.invalid_request(
                f"Missing Or Invalid ResourceModel property in {schema.type_name} list handler request input. "
                f"Required property: {missing}"
            )
        if self.faults.read_throttled():
            raise behaviour.rate_exceeded(schema.type_name)
        if self.config.missing_parent_not_found:
            self._check_parents(where, schema, wanted)
        size = self._list_page_size(schema.type_name, params)
        context = _fingerprint(schema.type_name, where.region, wanted)
        offset = _decode_token(params.get("NextToken"), context)
        models: Iterator[Json] = iter(self._listable(where, schema.type_name))
        if wanted:
            models = (m for m in models if all(m.get(k) == v for k, v in wanted.items()))
        page = list(itertools.islice(models, offset, offset + size + 1))
        full = schema.type_name in self.config.full_model_list_types
        answer: Json = {
            "TypeName": schema.type_name,
            "ResourceDescriptions": [
                {
                    "Identifier": identifier_of(schema, model),
                    "Properties": _compact(plan.public(model) if full else plan.listed(model)),
                }
                for model in page[:size]
            ],
        }
        if len(page) > size:
            answer["NextToken"] = _encode_token(offset + size, context)
        return answer

    def _account_wide(self, type_name: str) -> bool:
        return self.config.account_wide_lists and type_name in behaviour.ACCOUNT_WIDE_LIST_TYPES

    def _listable(self, where: Where, type_name: str) -> Iterable[Json]:
        """What a list sees: the region's resources (every region's, for an account-wide type) of the account,
        in creation order, less those created too recently to be seen."""
        if self._account_wide(type_name):
            resources = self.state.accounts.get(where.account, {})
            partitions = [p for p, types in resources.items() if type_name in types]
        else:
            partitions = [partition_key(type_name, where.region)]
        for partition in partitions:
            for identifier, model in self.state.peek(partition, type_name, where.account).items():
                if self._visible(where.account, partition, type_name, identifier):
                    yield model

    def _check_parents(self, where: Where, schema: ResourceSchema, wanted: Json) -> None:
        """A list per parent (event invoke configs per function) fails when that parent does not exist:
        the handler's list call to the service answers ResourceNotFoundException (botocore's lambda model:
        ListFunctionEventInvokeConfigs, and eks: ListNodegroups, both list ResourceNotFoundException), which
        the handler reports as NotFound."""
        entry = self.catalog.entry(schema.type_name)
        for name in schema.list_required:
            parent = self.catalog.list_parent(entry, name)
            if parent is None or "read" not in parent.handlers:
                continue
            identifier = str(wanted[name])
            partition = partition_key(parent.type_name, where.region)
            if identifier not in self.state.peek(partition, parent.type_name, where.account):
                raise behaviour.handler_error(
                    "ResourceNotFoundException",
                    schema.type_name,
                    f"Resource of type '{parent.type_name}' with identifier '{identifier}' was not found.",
                    "NotFound",
                )

    def get_resource(self, where: Where, params: Json) -> Json:
        plan = self._type(params, "read")
        type_name = plan.schema.type_name
        identifier = self._identifier(plan, params)
        model = self._find(where, plan, identifier)
        failure = self.faults.read_failure(type_name, identifier)
        if failure == "HandlerInternalFailureException":
            # Evidence: aws/aws-sdk#324 — "HandlerInternalFailureException ... AWS::EC2::PrefixList Handler
            # returned status FAILED: null (HandlerErrorCode: InternalFailure, RequestToken: ...)".
            raise behaviour.handler_error(failure, type_name, "null", "InternalFailure")
        if failure is not None:
            message = f"null {behaviour.service_detail(type_name, 500)}"
            raise behaviour.handler_error(failure, type_name, message, "GeneralServiceException")
        return {
            "TypeName": type_name,
            "ResourceDescription": {"Identifier": identifier, "Properties": _compact(plan.public(model))},
        }

    def _find(self, where: Where, plan: TypePlan, identifier: str) -> Json:
        """The stored model a read of the resource sees, or the error the read answers."""
        type_name = plan.schema.type_name
        self._check_access(where, plan, "read")
        if self.faults.read_throttled():
            raise behaviour.rate_exceeded(type_name)
        partition = partition_key(type_name, where.region)
        model = self.state.peek(partition, type_name, where.account).get(identifier)
        if model is not None and self._visible(where.account, partition, type_name, identifier):
            return model
        if self._account_wide(type_name) and self._home(where.account, type_name, identifier) not in (None, partition):
            raise behaviour.wrong_region(type_name)
        if self.config.not_found_by_type:
            raise behaviour.not_found(type_name, identifier)
        raise behaviour.NOT_FOUND_DEFAULT.error(type_name, identifier)

    def _home(self, account: str, type_name: str, identifier: str) -> str | None:
        """The partition an account-wide type's resource lives in, wherever in its account it is asked about."""
        for partition, types in self.state.accounts.get(account, {}).items():
            if identifier in types.get(type_name, {}):
                return partition
        return None

    def _visible(self, account: str, partition: str, type_name: str, identifier: str) -> bool:
        """False for a resource created less than ``consistency_delay_ms`` ago.

        Evidence: pulumi/pulumi-aws-native#1809 — "eventual consistency in AWS may cause some resources to
        fail with NotFound in Get even after WaitForResourceOpCompletion succeeded"; pulumi/
        pulumi-aws-native#1714 — a GetResource right after creation: "ResourceNotFoundException ... (
        HandlerErrorCode: NotFound ...)", gone on the next run.
        """
        key = (account, partition, type_name, identifier)
        shows = self._hidden.get(key)
        if shows is None:
            return True
        if self.clock() >= shows:
            del self._hidden[key]
            return True
        return False

    def _check_access(self, where: Where, plan: TypePlan, operation: str) -> None:
        """A denied read answers at once, in the handler's words (see ``behaviour.access_denied_message``)."""
        type_name = plan.schema.type_name
        if self.faults.denied(type_name, operation):
            permission = self._permission(plan, operation)
            message = behaviour.access_denied_message(type_name, permission, where.region, where.account)
            raise behaviour.handler_error("AccessDeniedException", type_name, message, "AccessDenied")

    @staticmethod
    def _permission(plan: TypePlan, operation: str) -> str:
        """The IAM action a denied handler fails on: the first of its schema's permissions that does what
        the operation does (logs:CreateLogGroup for a create, not the logs:DescribeLogGroups it also needs)."""
        permissions = plan.schema.permissions(operation)
        verbs = _PERMISSION_VERBS[operation]
        for permission in permissions:
            if permission.partition(":")[2].startswith(verbs):
                return permission
        if permissions:
            return permissions[0]
        service, kind = plan.schema.type_name.split("::")[1:]
        return f"{service.lower()}:{verbs[0]}{kind}"

    # -- mutations --------------------------------------------------------------------------

    def create_resource(self, where: Where, params: Json) -> Json:
        plan = self._type(params, "create")
        schema = plan.schema
        desired_text = self._required(params, "DesiredState")
        fingerprint = _fingerprint("CREATE", schema.type_name, desired_text)
        replay = self._replay(where, params, fingerprint)
        if replay:
            return replay
        desired = self._parse_model(desired_text, "DesiredState")
        read_only = [name for name in desired if name in schema.read_only]
        if read_only:
            listed = ", ".join(f"/properties/{name}" for name in read_only)
            raise errors.invalid_request(f"Model validation failed (#: read-only properties [{listed}] cannot be set)")
        desired = without(desired, plan.nested_read_only)
        self._validate(schema, desired)
        token = str(uuid.uuid4())
        salt = f"{self.config.seed}|{where.region}|{schema.type_name}|{token}"
        context = Context(schema.type_name, where.region, salt, where.account)
        model = complete_model(schema, copy.deepcopy(desired), context)
        named = all(name in desired for name in schema.primary_identifier)
        request = self._submit(
            where, plan, "CREATE", identifier_of(schema, model), model, params, fingerprint, token, named=named
        )
        return {"ProgressEvent": self._event(request)}

    def update_resource(self, where: Where, params: Json) -> Json:
        plan = self._type(params, "update")
        schema = plan.schema
        identifier = self._identifier(plan, params)
        patch_text = self._required(params, "PatchDocument")
        fingerprint = _fingerprint("UPDATE", schema.type_name, identifier, patch_text)
        replay = self._replay(where, params, fingerprint)
        if replay:
            return replay
        current = self._find(where, plan, identifier)
        self._refuse_if_busy(where, schema.type_name, identifier)
        strict = self.config.write_only_patches
        try:
            operations = parse_patch(patch_text)
            if strict:
                self._refuse_write_only_changes(plan, operations)
            # Cloud Control patches the model a read returns, which has no write-only properties.
            base = plan.public(current) if strict else current
            patched = apply_patch(base, operations)
        except PatchError as error:
            raise errors.invalid_request(f"Invalid patch document: {error}") from None
        create_only = _changed(base, patched, plan.create_only_pointers)
        if create_only:
            raise ApiError(
                "NotUpdatableException",
                f"Invalid patch update: createOnlyProperties [{', '.join(create_only)}] cannot be updated",
            )
        read_only = _changed(base, patched, list(schema.raw.get("readOnlyProperties", [])))
        if read_only:
            raise errors.invalid_request(
                f"Invalid patch update: readOnlyProperties [{', '.join(read_only)}] cannot be updated"
            )
        # Evidence: pulumi/pulumi-aws-native#277 and #906 — a Lambda patch without Code: "api error
        # ValidationException: Model validation failed (#: required key [Code] not found)".
        invalid = errors.validation if strict else errors.invalid_request
        self._validate(schema, without(patched, plan.read_only), invalid)
        request = self._submit(where, plan, "UPDATE", identifier, patched, params, fingerprint)
        return {"ProgressEvent": self._event(request)}

    def delete_resource(self, where: Where, params: Json) -> Json:
        plan = self._type(params, "delete")
        identifier = self._identifier(plan, params)
        fingerprint = _fingerprint("DELETE", plan.schema.type_name, identifier)
        replay = self._replay(where, params, fingerprint)
        if replay:
            return replay
        self._refuse_if_busy(where, plan.schema.type_name, identifier)
        request = self._submit(where, plan, "DELETE", identifier, None, params, fingerprint)
        return {"ProgressEvent": self._event(request)}

    @staticmethod
    def _refuse_write_only_changes(plan: TypePlan, operations: list[Json]) -> None:
        """Only 'add' may touch a write-only property: there is no stored value to replace or remove.

        Evidence: platform-engineering-labs/formae-plugin-aws pkg/ccx/writeonly.go — "ValidationException:
        Invalid patch update: writeOnlyProperties [/Code/ZipFile] can only be updated using 'add'
        operation"; go-to-k/cdkd#812 — "Cloud Control applies patches read-modify-write: it reads the current
        model, applies the patch ... Read handlers cannot return write-only properties"; hashicorp/
        terraform-provider-awscc#190 (AWS) — "It's currently required to include any property that is
        write-only and required".
        """
        refused = []
        for operation in operations:
            pointer = operation.get("from") if operation["op"] == "move" else operation["path"]
            if operation["op"] in ("replace", "remove", "move") and any(
                reaches(pointer, path) for path in plan.write_only
            ):
                refused.append(str(pointer))
        if refused:
            raise errors.validation(
                f"Invalid patch update: writeOnlyProperties [{', '.join(refused)}] can only be updated using 'add' "
                "operation"
            )

    def _validate(
        self, schema: ResourceSchema, model: Json, error: Callable[[str], ApiError] = errors.invalid_request
    ) -> None:
        problems = validate_model(schema, model)
        if problems:
            raise error(f"Model validation failed ({'; '.join(problems)})")

    def _replay(self, where: Where, params: Json, fingerprint: str) -> Json | None:
        """The original answer when a ClientToken is sent again, so a retried call never acts twice."""
        client_token = params.get("ClientToken")
        if not client_token:
            return None
        token = self._client_tokens.get((where.account, where.region, client_token))
        if token is None:
            return None
        request = self.state.requests[token]
        if request.fingerprint != fingerprint:
            raise ApiError(
                "ClientTokenConflictException",
                f"The client token {client_token} has already been used for a different resource request",
            )
        return {"ProgressEvent": self._event(request)}

    def _refuse_if_busy(self, where: Where, type_name: str, identifier: str) -> None:
        token = self._busy.get(self._key(where, type_name, identifier))
        if token is not None:
            raise ApiError(
                "ConcurrentOperationException",
                f"Another resource operation (request {token}) is in progress on {type_name} '{identifier}'",
            )

    def _submit(
        self,
        where: Where,
        plan: TypePlan,
        operation: str,
        identifier: str,
        model: Json | None,
        params: Json,
        fingerprint: str,
        token: str | None = None,
        named: bool = True,
    ) -> ResourceRequest:
        now = self.clock()
        fate = self._fate(where, plan, operation.lower())
        request = ResourceRequest(
            token=token or str(uuid.uuid4()),
            region=where.region,
            type_name=plan.schema.type_name,
            operation=operation,
            identifier=identifier,
            status="IN_PROGRESS",
            event_time=now,
            due=now + self.config.request_delay_ms / 1000.0,
            model=model,
            client_token=params.get("ClientToken") or None,
            fingerprint=fingerprint,
            named=named,
            fate_code=fate.error_code if fate else None,
            fate_message=fate.message if fate else None,
            account=where.account,
        )
        self.state.requests[request.token] = request
        self._track(request)
        self._persist()
        return request

    def _fate(self, where: Where, plan: TypePlan, operation: str) -> Fate | None:
        """How the mutation will end if a fault decides it: denied, throttled or failing inside the handler.

        Evidence: aws/aws-sdk-go-v2#3248 — "treats all OperationStatus: \"FAILED\" as terminal, but should
        retry when ErrorCode: \"Throttling\""; hashicorp/terraform-provider-awscc#701 — "waiter state
        transitioned to FAILED. StatusMessage: . ErrorCode: InternalFailure" (a FAILED event with no message).
        """
        type_name = plan.schema.type_name
        if self.faults.denied(type_name, operation):
            permission = self._permission(plan, operation)
            message = behaviour.access_denied_message(type_name, permission, where.region, where.account)
            return Fate("AccessDenied", message)
        fate = self.faults.mutation_fate()
        if fate is not None and fate.error_code == "Throttling":
            return Fate("Throttling", behaviour.throttled_message(type_name))
        return fate

    # -- the passing of time ----------------------------------------------------------------

    def _settle(self, now: float) -> None:
        changed = False
        while self._pending and self._pending[0][0] <= now:
            _, _, token = heapq.heappop(self._pending)
            request = self.state.requests.get(token)
            if request is None or not request.active:
                continue
            if request.status == "CANCEL_IN_PROGRESS":
                request.status = "CANCEL_COMPLETE"
            else:
                self._complete(request, now)
            request.event_time = now
            key = self._key(Where(request.account, request.region), request.type_name, request.identifier)
            if self._busy.get(key) == token:
                del self._busy[key]
            changed = True
        if changed:
            self._persist()

    def _complete(self, request: ResourceRequest, now: float) -> None:
        partition = partition_key(request.type_name, request.region)
        collection = self.state.collection(partition, request.type_name, request.account)
        exists = request.identifier in collection
        account_wide = self._account_wide(request.type_name)
        home = self._home(request.account, request.type_name, request.identifier) if account_wide else None
        where = f"Resource of type '{request.type_name}' with identifier '{request.identifier}'"
        if request.fate_code:
            self._fail(request, request.fate_code, request.fate_message)
        elif request.operation == "CREATE" and (exists or home is not None):
            # An account-wide type's names are unique across regions (S3 bucket names are global).
            self._fail(request, "AlreadyExists", f"{where} already exists.")
        elif request.operation != "CREATE" and not exists and home is not None:
            self._fail(request, "GeneralServiceException", behaviour.wrong_region(request.type_name).message)
        elif request.operation != "CREATE" and not exists:
            self._fail(request, "NotFound", f"{where} was not found.")
        else:
            if request.operation == "DELETE":
                del collection[request.identifier]
            else:
                collection[request.identifier] = request.model or {}
                if request.operation == "CREATE" and self.config.consistency_delay_ms:
                    shows = now + self.config.consistency_delay_ms / 1000.0
                    self._hidden[(request.account, partition, request.type_name, request.identifier)] = shows
            request.status = "SUCCESS"

    @staticmethod
    def _fail(request: ResourceRequest, code: str, message: str | None) -> None:
        request.status = "FAILED"
        request.error_code = code
        request.status_message = message

    # -- requests ---------------------------------------------------------------------------

    def _event(self, request: ResourceRequest) -> Json:
        """The progress event; with ``sparse_events``, only what AWS sends.

        Evidence: botocore's cloudcontrol model, ProgressEvent.Identifier — "In some cases, the resource
        identifier may be available before the resource operation has reached a status of SUCCESS" (so in
        others it is not); hashicorp/terraform-provider-awscc#2027 — "if the creation failed then the ptr
        [Identifier] may be nil"; hashicorp/terraform-provider-awscc#701 — "StatusMessage: . ErrorCode:
        InternalFailure".
        """
        sparse = self.config.sparse_events
        event: Json = {
            "TypeName": request.type_name,
            "RequestToken": request.token,
            "Operation": request.operation,
            "OperationStatus": request.status,
            "EventTime": request.event_time,
        }
        if not sparse or request.named or request.status == "SUCCESS":
            event["Identifier"] = request.identifier
        if request.model is not None and request.operation != "DELETE" and (not sparse or request.status == "SUCCESS"):
            event["ResourceModel"] = _compact(self.plan(request.type_name).public(request.model))
        if request.status == "IN_PROGRESS":
            event["RetryAfter"] = request.due
        if request.error_code:
            event["ErrorCode"] = request.error_code
            if request.status_message is not None or not sparse:
                event["StatusMessage"] = request.status_message or ""
        return event

    def _request(self, where: Where, params: Json) -> ResourceRequest:
        token = self._required(params, "RequestToken")
        request = self.state.requests.get(token)
        if request is None or (request.account, request.region) != (where.account, where.region):
            raise errors.request_not_found(token)
        return request

    def get_resource_request_status(self, where: Where, params: Json) -> Json:
        return {"ProgressEvent": self._event(self._request(where, params))}

    def cancel_resource_request(self, where: Where, params: Json) -> Json:
        request = self._request(where, params)
        if request.status not in ("PENDING", "IN_PROGRESS"):
            raise ApiError(
                "ConcurrentModificationException",
                f"Request {request.token} is {request.status}: only PENDING or IN_PROGRESS requests can be cancelled",
            )
        now = self.clock()
        request.status = "CANCEL_IN_PROGRESS"
        request.event_time = now
        heapq.heappush(self._pending, (now, next(self._sequence), request.token))
        self._persist()
        return {"ProgressEvent": self._event(request)}

    def list_resource_requests(self, where: Where, params: Json) -> Json:
        wanted = params.get("ResourceRequestStatusFilter") or {}
        operations = set(wanted.get("Operations") or OPERATIONS)
        statuses = set(wanted.get("OperationStatuses") or STATUSES)
        for value, allowed in ((operations, OPERATIONS), (statuses, STATUSES)):
            unknown = sorted(value - set(allowed))
            if unknown:
                raise errors.validation(f"1 validation error detected: {unknown} must be among {list(allowed)}")
        size = self._max_results(params) or self.config.page_size or behaviour.DEFAULT_PAGE_SIZE
        context = _fingerprint("requests", where.region, sorted(operations), sorted(statuses))
        offset = _decode_token(params.get("NextToken"), context)
        newest_first = reversed(list(self.state.requests.values()))
        matching = (
            r
            for r in newest_first
            if (r.account, r.region) == (where.account, where.region)
            and r.operation in operations
            and r.status in statuses
        )
        page = list(itertools.islice(matching, offset, offset + size + 1))
        answer: Json = {"ResourceRequestStatusSummaries": [self._event(r) for r in page[:size]]}
        if len(page) > size:
            answer["NextToken"] = _encode_token(offset + size, context)
        return answer

    HANDLERS: dict[str, Callable[[CloudControl, Where, Json], Json]] = {
        "ListResources": list_resources,
        "GetResource": get_resource,
        "CreateResource": create_resource,
        "UpdateResource": update_resource,
        "DeleteResource": delete_resource,
        "GetResourceRequestStatus": get_resource_request_status,
        "ListResourceRequests": list_resource_requests,
        "CancelResourceRequest": cancel_resource_request,
    }

    # -- fixtures ---------------------------------------------------------------------------

    def add_fixture(self, region: str, type_name: str, desired: Json, key: str, account: str = ACCOUNT_ID) -> Json:
        """Put a resource straight into an account (no request, no validation) and return its model.

        Generated values are salted by region, type and key, and by the account for any account but the
        sample one, whose salt stays as it always was (so its generated ids do not change)."""
        schema = self.plan(type_name).schema
        salt = f"fixture|{region}|{type_name}|{key}"
        if account != ACCOUNT_ID:
            salt = f"{account}|{salt}"
        model = complete_model(schema, desired, Context(type_name, region, salt, account))
        collection = self.state.collection(partition_key(type_name, region), type_name, account)
        collection[identifier_of(schema, model)] = model
        return model

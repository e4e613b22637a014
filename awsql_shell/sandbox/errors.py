"""Errors the sandbox answers with, named as the APIs' models name them.

botocore turns ``{"__type": "<ShapeName>", "Message": ...}`` into ``client.exceptions.<ShapeName>``,
so each class below carries the shape name and HTTP status of the real service.
"""

from __future__ import annotations

from collections.abc import Mapping

from awsql_shell.errors import UsageError


class ApiError(Exception):
    """An error response: HTTP status, ``__type``, message and any other members of the error's shape."""

    def __init__(self, code: str, message: str, status: int = 400, extra: Mapping[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = dict(extra or {})

    def body(self) -> dict[str, str]:
        return {"__type": self.code, "Message": self.message, **self.extra}


def invalid_request(message: str) -> ApiError:
    return ApiError("InvalidRequestException", message)


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def type_not_found(type_name: str) -> ApiError:
    return ApiError("TypeNotFoundException", f"The type '{type_name}' cannot be found.")


def unsupported_action(type_name: str, action: str) -> ApiError:
    return ApiError("UnsupportedActionException", f"Resource type {type_name} does not support {action.upper()} action")


def request_not_found(token: str) -> ApiError:
    return ApiError("RequestTokenNotFoundException", f"Request with token {token} was not found")


class SandboxStateError(UsageError):
    """The state file cannot be used; the sandbox never silently replaces it."""

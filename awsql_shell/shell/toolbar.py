"""The line under the prompt: where statements go and how their results come back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from awsql_shell.settings import Settings

if TYPE_CHECKING:
    from awsql_shell.gateway.accounts import Account


def account_label(settings: Settings, environ: Mapping[str, str]) -> str:
    if settings.sandbox:
        return "sandbox"
    if settings.endpoint_url:
        return f"endpoint {settings.endpoint_url}"
    return f"profile {settings.profile or environ.get('AWS_PROFILE') or 'default'}"


def accounts_label(accounts: Sequence[Account] | None) -> str | None:
    """``accounts 20`` (``accounts 5 (4 reachable)`` when some cannot be called) for a session of several
    accounts already found; None for one account, or before they are found (the toolbar never asks AWS)."""
    if accounts is None or len(accounts) < 2:
        return None
    reachable = sum(1 for account in accounts if account.callable)
    return f"accounts {len(accounts)}" + (f" ({reachable} reachable)" if reachable < len(accounts) else "")


def toolbar_text(
    settings: Settings,
    default_region: str | None,
    vi_mode: bool,
    environ: Mapping[str, str],
    accounts: Sequence[Account] | None = None,
) -> str:
    """``accounts``: the session's, when known (``Session.accounts_if_known``)."""
    output = settings.output or "table"
    if settings.expanded:
        output += ", expanded"
    counted = accounts_label(accounts)
    parts = [
        account_label(settings, environ),
        *([counted] if counted else []),
        f"region {default_region or '(none)'}",
        f"output {output}",
        f"cache {'on' if settings.cache_enabled else 'off'}",
        f"[F4] {'vi' if vi_mode else 'emacs'}",
        "\\? help",
    ]
    return " " + " | ".join(parts) + " "

"""The line under the prompt: where statements go and how their results come back."""

from __future__ import annotations

from collections.abc import Mapping

from awsql_shell.settings import Settings


def account_label(settings: Settings, environ: Mapping[str, str]) -> str:
    if settings.sandbox:
        return "sandbox"
    if settings.endpoint_url:
        return f"endpoint {settings.endpoint_url}"
    return f"profile {settings.profile or environ.get('AWS_PROFILE') or 'default'}"


def toolbar_text(settings: Settings, default_region: str | None, vi_mode: bool, environ: Mapping[str, str]) -> str:
    output = settings.output or "table"
    if settings.expanded:
        output += ", expanded"
    parts = [
        account_label(settings, environ),
        f"region {default_region or '(none)'}",
        f"output {output}",
        f"cache {'on' if settings.cache_enabled else 'off'}",
        f"[F4] {'vi' if vi_mode else 'emacs'}",
        "\\? help",
    ]
    return " " + " | ".join(parts) + " "

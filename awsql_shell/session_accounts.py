"""The session's accounts: found once, changed by ``\\accounts`` and ``\\profile``, seen by planning.

Decision: where accounts come from is the gateway's (``gateway.accounts``: one profile, several, an
Organization) and what a statement may do with them is the planner's (``planner.accounts``); this module
holds the session's state between the two: the accounts found, what finding them had to say, the value
planning sees (``AccountScope``), the rows of ``awsql.accounts`` and the accounts' rows of ``awsql.errors``.
A session of one account costs no call here (its id is asked of STS only when a statement needs it), so
metadata statements never import boto3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from awsql_shell.errors import AwsqlError, CredentialsError
from awsql_shell.settings import Settings

if TYPE_CHECKING:
    from awsql_shell.gateway import Gateway
    from awsql_shell.gateway.accounts import Account
    from awsql_shell.planner.accounts import AccountScope


@dataclass
class SessionAccounts:
    """``gateway``: the session's gateway, made on first use; ``started``: it, when already made;
    ``region``: the session's default region name (where discovery asks STS)."""

    settings: Settings
    gateway: Callable[[], Gateway]
    started: Callable[[], Gateway | None]
    region: Callable[[], str | None]
    found: list[Account] | None = None  # None until first needed
    notices: list[str] = field(default_factory=list)  # what finding them had to say, not yet said

    @property
    def discovered(self) -> bool:
        """The accounts come from several profiles or an Organization, not the session's one profile."""
        settings = self.settings
        return bool(settings.org or settings.profiles or settings.profiles_glob)

    def all(self) -> list[Account]:
        """The session's accounts, found on first need: listing an Organization or asking STS about several
        profiles happens once per session (``use`` starts again)."""
        if self.found is None:
            from awsql_shell.gateway.accounts import profile_account
            from awsql_shell.gateway.clients import Target

            settings = self.settings
            if self.discovered:
                found = self._discover()
            else:
                target = Target(settings.profile, settings.endpoint_url)
                found = [profile_account(target, account_id=settings.account, reached=self._reached())]
            self.found = found
            if self.discovered or self.started() is not None:  # a one-account session needs no gateway yet
                self._install(found)
        return self.found

    def use(
        self, *, org: bool = False, profiles: Sequence[str] = (), glob: str | None = None, unit: str | None = None
    ) -> list[str]:
        """Change where the accounts come from (``unit``: with ``org``, only the accounts under that OU; None
        keeps the one in use); what finding them had to say. The new set is found before the old one is given
        up, so a discovery that fails changes nothing."""
        settings = self.settings
        saved = (settings.org, settings.profiles, settings.profiles_glob, settings.org_unit, self.found, self.notices)
        settings.org, settings.profiles, settings.profiles_glob = org, tuple(profiles), glob
        if unit is not None:
            from awsql_shell.gateway.accounts import check_org_unit

            settings.org_unit = check_org_unit(unit)
        self.found, self.notices = None, []
        try:
            self.all()
        except BaseException:
            (
                settings.org,
                settings.profiles,
                settings.profiles_glob,
                settings.org_unit,
                self.found,
                self.notices,
            ) = saved
            if saved[4] is not None:
                self._install(saved[4])
            raise
        self.gateway().clear_cache()
        return self.take_notices()  # said now, not with the next result

    def use_profile(self, profile: str | None) -> list[str]:
        """A new profile for the session. The accounts found with the old one's credentials (one account, or
        the Organization reached from it) are found again with the new one's: no call for one account, the
        Organization listed again; the old profile stays if that fails. A session of several profiles keeps
        them: each account has its own."""
        settings = self.settings
        previous, settings.profile = settings.profile, profile
        if settings.profiles or settings.profiles_glob or self.found is None:
            return []
        try:
            return self.use(org=settings.org)
        except BaseException:
            settings.profile = previous
            raise

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    def scope(self, *, ids: bool = False, required: bool = True) -> AccountScope:
        """The accounts as planning sees them. ``ids``: the session's one account must have its id (one STS
        GetCallerIdentity, once per session); when STS cannot say and not ``required``, it stays unknown."""
        from awsql_shell.gateway.accounts import UNREACHABLE
        from awsql_shell.planner.accounts import AccountScope

        accounts = self.all()
        if ids and len(accounts) == 1 and accounts[0].id is None:
            try:
                known = self.gateway().account_of(accounts[0].target)
            except AwsqlError:
                if required:
                    raise
                return AccountScope()
            accounts = self.found = [replace(accounts[0], id=known)]
        return AccountScope(
            ids=tuple(a.id for a in accounts if a.callable and a.id is not None),
            unreachable={a.id: a.problem or a.status for a in accounts if not a.callable and a.id is not None},
            missing=tuple((a.label, a.problem or a.status) for a in accounts if a.status == UNREACHABLE),
            rows=tuple(
                {"account_id": a.id, "name": a.name, "reached": a.reached, "status": a.status, "problem": a.problem}
                for a in accounts
            ),
        )

    def profiles_in_use(self) -> list[str]:
        """The profiles the accounts come from (with several profiles), for their common region."""
        if (self.settings.profiles or self.settings.profiles_glob) and self.found is not None:
            # Those kept: a profile that reaches an account another reaches too is merged away, region and all.
            return [account.target.profile for account in self.found if account.target.profile]
        return list(self.settings.profiles)

    # -- what the session shows of them -----------------------------------------------------------------

    def rows(self) -> list[tuple[object, ...]]:
        """The rows of ``awsql.accounts``: asking for them is asking for the one account's id too."""
        from awsql_shell.gateway.accounts import UNREACHABLE

        accounts = self.all()
        if len(accounts) == 1 and accounts[0].id is None:
            try:
                self.scope(ids=True)
            except AwsqlError as exc:
                account = accounts[0]
                return [(None, account.name, account.reached, UNREACHABLE, exc.message)]
        return [(a.id, a.name, a.reached, a.status, a.problem) for a in self.all()]

    def error_rows(self, missing: Sequence[tuple[str, str]]) -> list[tuple[object, ...]]:
        """``awsql.errors`` rows of the accounts a statement could not read at all (``(who, why)`` of a plan)."""
        labels = {who for who, _ in missing}
        return [
            (a.id, None, None, a.operation, a.error_code, a.problem, 1, None)
            for a in self.found or ()
            if a.label in labels
        ]

    def explained(self) -> str:
        """What EXPLAIN says of the accounts: which, and what finding them cost (the only calls it makes)."""
        accounts = self.all()
        if not self.discovered:
            account = accounts[0]
            if account.id is None:
                return f"account: the one of {account.reached}; EXPLAIN made no call at all"
            return f"account: {account.id} ({account.reached}); EXPLAIN made no call to find it"
        source = "the Organization" if self.settings.org else "the profiles"
        reachable = sum(1 for a in accounts if a.callable)
        return (
            f"accounts: {reachable} of {len(accounts)} reachable, found once per session from {source} "
            "(STS and Organizations calls: the only ones EXPLAIN makes)"
        )

    def one_known_id(self) -> str | None:
        """The one account's id, when the session has one account and knows it."""
        return self.found[0].id if self.found and len(self.found) == 1 else None

    # -- finding them ---------------------------------------------------------------------------------------

    def _install(self, accounts: Sequence[Account]) -> None:
        """Tell the gateway where each account's calls go; the first reachable one is the default."""
        reachable = [a for a in accounts if a.callable and a.id is not None]
        default = reachable[0].target if reachable else accounts[0].target
        self.gateway().use_accounts({a.id: a.target for a in reachable}, default=default)

    def _discover(self) -> list[Account]:
        from awsql_shell.gateway.accounts import (
            OrgOptions,
            check_profiles,
            configured_profiles,
            from_organization,
            from_profiles,
            matching_profiles,
        )
        from awsql_shell.gateway.clients import Target

        settings = self.settings
        region = self.region() or "us-east-1"
        concurrency = max(1, settings.max_concurrency)
        clients = self.gateway().clients
        if settings.org:
            options = OrgOptions(role=settings.org_role, external_id=settings.external_id, unit=settings.org_unit)
            base = Target(settings.profile, settings.endpoint_url)
            found = from_organization(clients, base, options, region, concurrency)
        else:
            profiles = list(settings.profiles)
            configured = configured_profiles()
            if settings.profiles_glob:
                profiles += matching_profiles(settings.profiles_glob, configured)
            check_profiles(profiles, configured)
            found, self.notices = from_profiles(
                clients, list(dict.fromkeys(profiles)), settings.endpoint_url, region, concurrency
            )
        if not any(account.callable for account in found):
            why = "; ".join(f"{a.reached}: {a.problem or a.status}" for a in found[:3])
            raise CredentialsError(f"no account of this session can be reached ({why})")
        return found

    def _reached(self) -> str:
        settings = self.settings
        if settings.sandbox:
            return "the sandbox"
        if settings.profile:
            return f"profile {settings.profile}"
        return settings.endpoint_url or "default credentials"

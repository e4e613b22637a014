"""Meta commands as completion sees them: plain data the REPL hands over from its registry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ArgumentKind(Enum):
    """What the first argument of a meta command is, so completion knows where to look."""

    OUTPUT_FORMAT = "output format"
    REGION = "region"
    PROFILE = "profile"
    FILE = "file"
    VARIABLE = "variable"
    OUTPUT_TARGET = "output format or file"  # \o: a format name, else a file
    RESOURCE = "resource or service"  # \d, \dt
    NAMED_QUERY = "named query"
    ACCOUNTS = "org, one or profiles"  # \accounts: a word, else profiles (any number of them)


@dataclass(frozen=True)
class MetaCommandInfo:
    """One meta command: `name` (`\\o`), one line of `help`, other spellings (`exit`, `quit`), and what its
    first argument is: a kind, or a fixed list of `choices` (`on`, `off`)."""

    name: str
    help: str
    aliases: tuple[str, ...] = ()
    argument: ArgumentKind | None = None
    choices: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


# The set issue 6 asks for; the REPL owns the real registry and may pass its own list instead.
DEFAULT_META_COMMANDS: tuple[MetaCommandInfo, ...] = (
    MetaCommandInfo("\\?", "Show the meta commands", aliases=("help",)),
    MetaCommandInfo("\\q", "Quit", aliases=("exit", "quit")),
    MetaCommandInfo("\\o", "Send results to a file, or set the output format", argument=ArgumentKind.OUTPUT_TARGET),
    MetaCommandInfo("\\T", "Set the output format", argument=ArgumentKind.OUTPUT_FORMAT),
    MetaCommandInfo("\\x", "Expanded output: one field per line", choices=("on", "off", "auto")),
    MetaCommandInfo("\\d", "Describe a resource", argument=ArgumentKind.RESOURCE),
    MetaCommandInfo("\\timing", "Toggle timing of statements", choices=("on", "off")),
    MetaCommandInfo("\\region", "Set the default region", argument=ArgumentKind.REGION),
    MetaCommandInfo("\\profile", "Switch the AWS profile", argument=ArgumentKind.PROFILE),
    MetaCommandInfo("\\set", "Set a variable: \\set NAME VALUE", argument=ArgumentKind.VARIABLE),
    MetaCommandInfo("\\unset", "Remove a variable", argument=ArgumentKind.VARIABLE),
    MetaCommandInfo("\\i", "Run the statements in a file", argument=ArgumentKind.FILE),
    MetaCommandInfo("\\cache", "Clear the result cache: \\cache clear", choices=("clear",)),
    MetaCommandInfo("\\e", "Edit the last statement in $EDITOR"),
    MetaCommandInfo("\\pager", "Turn the pager on or off", choices=("on", "off")),
)

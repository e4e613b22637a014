"""The interactive shell: the REPL and its completion."""

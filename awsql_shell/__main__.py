import sys

try:  # a Ctrl-C while the entry point itself is imported exits as any other (awsql_shell/entry.py)
    from awsql_shell.entry import main
except KeyboardInterrupt:
    sys.stderr.write("interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())

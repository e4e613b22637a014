from awsql_shell.cli import main

raise SystemExit(main())

from awsql_shell.entry import main

raise SystemExit(main())

from glm_lsp.cli import main

raise SystemExit(main())

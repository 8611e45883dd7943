"""Repository context: files, symbols, git, ranking, budget."""

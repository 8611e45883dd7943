"""The pygls adapter: handlers decode LSP, call the core, encode the result."""

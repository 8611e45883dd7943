"""glm-lsp: the GLM-5.2 coding model in any LSP editor."""

__version__ = "0.1.0"

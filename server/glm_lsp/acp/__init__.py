"""The ACP face: glm-lsp as an Agent Client Protocol (v1) agent on stdio.

Zed, the JetBrains IDEs and Neovim's agent plugins start `glm-lsp acp` and talk JSON-RPC
over its stdin and stdout; `agent.GlmAgent` decodes their requests, runs each prompt as a
turn of the assistant's one loop (with write tools), and encodes the assistant's events as
session updates. Files change only after `session/request_permission` says so.
"""

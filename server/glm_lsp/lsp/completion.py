"""textDocument/inlineCompletion: ghost text from the completer, and nothing stale.

The capability is advertised only while the `completion.enabled` setting is on (each
suggestion is a paid request): at initialize from what is known then, and afterwards by
dynamic registration when the editor's configuration turns it on or off. Each document
has at most one suggestion in flight: a newer request or any change of the document
cancels it, which closes its provider stream, and a reply for an older version of the
document is never returned.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import to_fs_path

from glm_lsp.completion import CompletionOutcome, CompletionRequest
from glm_lsp.errors import GlmError
from glm_lsp.lsp.inflight import stop
from glm_lsp.lsp.server import GlmServer

log = logging.getLogger(__name__)

REGISTRATION_ID = "glm-inline-completion"
Result = types.InlineCompletionList | None


async def inline_completion(ls: GlmServer, params: types.InlineCompletionParams) -> Result:
    if not ls.settings.completion_enabled:  # turned off since it was registered
        return None
    doc = ls.workspace.get_text_document(params.text_document.uri)
    path = Path(to_fs_path(doc.uri) or "") if doc.path else None
    if path is None:
        return None
    root = ls.root_for(path)
    if not path.is_relative_to(root):
        return None
    position = doc.position_codec.position_from_client_units(doc.lines, params.position)
    version = doc.version
    request = CompletionRequest(
        root,
        path.relative_to(root).as_posix(),
        doc.source,
        position.line,
        position.character,
        automatic=params.context.trigger_kind == types.InlineCompletionTriggerKind.Automatic,
    )
    outcome = await _run(ls, doc.uri, request)
    if outcome is None or doc.version != version:  # stale: the document moved on
        return types.InlineCompletionList(items=[])
    if outcome.notice:
        ls.notice(outcome.notice)
    if not outcome.text:
        return types.InlineCompletionList(items=[])
    at = types.Range(start=params.position, end=params.position)
    return types.InlineCompletionList(
        items=[types.InlineCompletionItem(insert_text=outcome.text, range=at)]
    )


async def _run(ls: GlmServer, uri: str, request: CompletionRequest) -> CompletionOutcome | None:
    """The outcome, or None when a keystroke or a newer request cancelled it (the
    editor's own $/cancelRequest cancels this coroutine, and the work with it)."""
    work = asyncio.ensure_future(ls.assistant.completions.complete(request))
    ls.inline.start(uri, work)
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        stop(work)
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        return None
    except GlmError as error:
        log.warning("inline completion failed: %s %s", error.message, error.detail)
        ls.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Warning, message=f"GLM completion: {error.message}"
            )
        )
        return None
    finally:
        ls.inline.finished(uri, work)


async def sync_registration(ls: GlmServer) -> None:
    """Register or unregister the capability once the editor's configuration is known
    and whenever it changes, when the editor allows dynamic registration (then it was not
    advertised at initialize); otherwise the setting takes effect on restart."""
    wanted = ls.settings.completion_enabled
    if wanted == ls.inline_registered or not dynamic(ls):
        return
    ls.inline_registered = wanted
    method = types.TEXT_DOCUMENT_INLINE_COMPLETION
    try:
        if wanted:
            options = types.InlineCompletionRegistrationOptions(document_selector=None)
            registration = types.Registration(REGISTRATION_ID, method, options)
            await ls.client_register_capability_async(types.RegistrationParams([registration]))
        else:
            gone = types.Unregistration(REGISTRATION_ID, method)
            await ls.client_unregister_capability_async(types.UnregistrationParams([gone]))
    except JsonRpcException as error:  # the editor refused: it keeps what it had
        ls.inline_registered = not wanted
        log.warning("the editor refused to (un)register inline completion: %s", error)


def dynamic(ls: GlmServer) -> bool:
    """Whether the editor takes the capability by dynamic registration."""
    document = ls.client_capabilities.text_document
    inline = document.inline_completion if document else None
    return bool(inline and inline.dynamic_registration)


def static_capability(ls: GlmServer) -> bool:
    """Whether initialize advertises the capability: only for editors that cannot take
    it later, and only when completion is on by then (environment, config file or
    initializationOptions)."""
    return ls.settings.completion_enabled and not dynamic(ls)


def register(server: GlmServer) -> None:
    server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())(
        inline_completion
    )
    server.advertise_inline = partial(static_capability, server)
    server.settings_hooks.append(partial(sync_registration, server))

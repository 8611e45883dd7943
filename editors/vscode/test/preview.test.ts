import assert from "node:assert/strict";
import { test } from "node:test";
import { diffTitle, hunkAt, parsePreviewPath, type PreviewFile, PreviewStore, previewMessage, previewPath } from "../src/preview";
import { looksLikeDiff, pickDiff } from "../src/diffsource";

const edited: PreviewFile = { uri: "file:///w/app/x.py", path: "app/x.py", old: "a\n", new: "b\n" };
const created: PreviewFile = { uri: "file:///w/app/new.py", path: "app/new.py", old: null, new: "n\n" };
const params = {
  task: "glm-task-3",
  token: "tok/1",
  diff: "--- a/app/x.py\n+++ b/app/x.py\n@@ -1 +1 @@\n-a\n+b\n",
  summary: "edited app/x.py",
  files: [edited, created],
};

test("virtual document paths round-trip and keep the file name last", () => {
  const path = previewPath("tok/1", "new", 1, "app/new.py");
  assert.equal(path, "/tok%2F1/new/1/app/new.py");
  assert.deepEqual(parsePreviewPath(path), { token: "tok/1", side: "new", index: 1 });
  assert.equal(parsePreviewPath("/x/middle/0/a.py"), undefined);
});

test("the store serves both sides, empty for a created file", () => {
  const store = new PreviewStore();
  store.add(params);
  assert.equal(store.content({ token: "tok/1", side: "old", index: 0 }), "a\n");
  assert.equal(store.content({ token: "tok/1", side: "new", index: 0 }), "b\n");
  assert.equal(store.content({ token: "tok/1", side: "old", index: 1 }), "");
  assert.equal(store.content({ token: "tok/1", side: "new", index: 5 }), undefined);
  assert.equal(store.latest, "tok/1");
  store.add({ ...params, token: "t2", files: undefined });
  assert.equal(store.latest, "t2");
  assert.equal(store.content({ token: "t2", side: "new", index: 0 }), undefined);
  assert.equal(store.remove("tok/1")?.task, "glm-task-3");
  assert.deepEqual(store.tokens, ["t2"]);
});

test("titles and the accept/reject message", () => {
  assert.equal(diffTitle(edited), "app/x.py (current ↔ proposed by GLM)");
  assert.equal(diffTitle(created), "app/new.py (new file proposed by GLM)");
  assert.equal(diffTitle({ ...edited, new: null }), "app/x.py (deletion proposed by GLM)");
  assert.equal(previewMessage(params), "GLM proposes an edit in app/x.py, app/new.py: edited app/x.py");
});

test("apply diff takes the selection, then the editor, then the clipboard", () => {
  const diff = params.diff;
  assert.ok(looksLikeDiff(diff));
  assert.ok(!looksLikeDiff("just text\n--- not a diff"));
  assert.deepEqual(pickDiff({ selection: diff, document: "x", clipboard: diff }), { diff, from: "selection" });
  assert.deepEqual(pickDiff({ selection: "nope", document: diff }), { diff, from: "editor" });
  assert.deepEqual(pickDiff({ document: "print(1)", clipboard: diff }), { diff, from: "clipboard" });
  assert.equal(pickDiff({ document: "print(1)", clipboard: "hello" }), undefined);
});

test("the hunk under the cursor: inside one, else the nearest of that file", () => {
  const hunk = (id: string, start: number, end: number, path = "app/x.py") => ({ id, uri: "u", path, line: 0, start, end, whole: false });
  const withHunks = { ...params, hunks: [hunk("1", 0, 5), hunk("2", 14, 20), { ...hunk("3", 0, 1, "app/new.py"), whole: true }] };
  assert.equal(hunkAt(withHunks, 0, 3)?.id, "1");
  assert.equal(hunkAt(withHunks, 0, 16)?.id, "2");
  assert.equal(hunkAt(withHunks, 0, 12)?.id, "2");
  assert.equal(hunkAt(withHunks, 0, 6)?.id, "1");
  assert.equal(hunkAt(withHunks, 1, 40)?.id, "3");
  assert.equal(hunkAt(params, 0, 1), undefined);
});

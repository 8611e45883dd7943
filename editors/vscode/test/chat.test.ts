import assert from "node:assert/strict";
import { test } from "node:test";
import { Transcript } from "../src/chat";

const ev = (kind: string, text: string, task = "glm-task-1", session = "s1") => ({ session, task, kind, text });

test("streams reasoning, tools and content into one answer, done replaces the deltas", () => {
  const t = new Transcript();
  t.ask("What does `f` do?");
  assert.ok(t.busy);
  for (const e of [ev("reasoning", "Let me "), ev("reasoning", "look."), ev("tool", "read_file a.py"), ev("content", "It "), ev("content", "adds.")]) {
    assert.ok(t.owns(e));
    assert.ok(t.apply(e));
  }
  assert.equal(t.session, "s1");
  let html = t.render();
  assert.match(html, /<details class="reasoning" data-id="r1"><summary>Reasoning<\/summary><div class="reasoning-text">Let me look.<\/div><\/details>/);
  assert.ok(!/<details[^>]*open/.test(html), "reasoning starts collapsed");
  assert.match(html, /<div class="tool">&#9881; read_file a.py<\/div>/);
  assert.match(html, /<div class="content"><p>It adds.<\/p><\/div>/);
  assert.match(html, /<div class="pending">/);
  t.apply(ev("done", "It **adds** numbers."));
  html = t.render();
  assert.ok(!t.busy);
  assert.match(html, /<p>It <strong>adds<\/strong> numbers.<\/p>/);
  assert.match(html, /<div class="msg user"><div class="who">You<\/div><p>What does <code>f<\/code> do\?<\/p><\/div>/);
});

test("a second question continues the session and other sessions are ignored", () => {
  const t = new Transcript();
  t.ask("one");
  t.apply(ev("done", "first"));
  t.ask("two");
  assert.ok(t.owns(ev("content", "x", "glm-task-2", "s1")));
  assert.ok(t.apply(ev("content", "second", "glm-task-2")));
  assert.equal(t.session, "s1");
  const other = ev("content", "elsewhere", "glm-task-9", "s9");
  // an unrelated session's events only match while an answer still waits for its task
  t.apply(ev("done", "second", "glm-task-2"));
  assert.ok(!t.owns(other));
});

test("errors end the answer and are escaped", () => {
  const t = new Transcript();
  const answer = t.ask("q");
  t.apply(ev("error", "bad <key>"));
  assert.ok(!t.busy);
  assert.match(t.render(), /<div class="error">bad &lt;key&gt;<\/div>/);
  const t2 = new Transcript();
  t2.fail(t2.ask("q"), "no server");
  assert.match(t2.render(), /no server/);
  assert.equal(answer.done, true);
});

test("tool_call is accepted as an alias of tool, unknown kinds are ignored", () => {
  const t = new Transcript();
  t.ask("q");
  assert.ok(t.apply(ev("tool_call", "search foo")));
  assert.ok(!t.apply(ev("mystery", "x")));
  assert.match(t.render(), /search foo/);
});

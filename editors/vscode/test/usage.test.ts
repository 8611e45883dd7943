import assert from "node:assert/strict";
import { test } from "node:test";
import {
  completionStatusView,
  formatCost,
  formatTokens,
  statusView,
  TaskTracker,
  usageDetails,
  usageMessage,
} from "../src/usage";

const total = { prompt_tokens: 12000, completion_tokens: 340, reasoning_tokens: 100, cached_tokens: 2000, cost: 0.01234 };

test("costs and token counts", () => {
  assert.equal(formatCost(null), "cost unknown");
  assert.equal(formatCost(0.01234), "$0.0123");
  assert.equal(formatCost(12.5), "$12.50");
  assert.equal(formatTokens(999), "999");
  assert.equal(formatTokens(12000), "12k");
  assert.equal(formatTokens(2_500_000), "2.5M");
});

test("the usage message and per-task details", () => {
  const result = {
    total,
    text: "",
    tasks: [
      { task: "glm-task-1", title: "GLM: editing x.py", state: "done", usage: total, text: "12000 prompt …" },
      { task: "glm-request-2", what: "code action", usage: { ...total, cost: null } },
    ],
  };
  assert.equal(
    usageMessage(result),
    "GLM usage this session: 12000 prompt tokens (2000 cached), 340 completion tokens (100 reasoning), $0.0123; 2 tasks.",
  );
  assert.deepEqual(usageDetails(result), [
    "glm-task-1 GLM: editing x.py [done]: 12000 prompt …",
    "glm-request-2 code action: 12340 tokens, cost unknown",
  ]);
  assert.match(usageMessage({ total, text: "" }), /0 tasks\.$/);
  const completion = {
    enabled: true,
    paused: false,
    hourCost: 0.002,
    hourlyCap: 1,
    requests: 4,
    cancelled: 1,
    cached: 9,
    usage: { ...total, cost: 0.003 },
    text: "",
  };
  assert.match(
    usageMessage({ total, text: "", completion }),
    /0 tasks\. Inline completion, counted apart: 4 requests, \$0\.0030 \(\$0\.0020 this hour\)\.$/,
  );
});

test("the status bar shows the running task, then the session's cost", () => {
  const tracker = new TaskTracker();
  assert.deepEqual(statusView(tracker.tasks, undefined).text, "$(hubot) GLM");
  assert.equal(tracker.update({ task: "t1", state: "running", title: "GLM: editing x.py" }), false);
  tracker.update({ task: "t2", state: "running", title: "GLM: chat" });
  const busy = statusView(tracker.tasks, total);
  assert.equal(busy.text, "$(sync~spin) GLM: editing x.py (+1)");
  assert.equal(busy.command, "cancel");
  assert.equal(tracker.update({ task: "t1", state: "done", title: "GLM: editing x.py" }), true);
  tracker.update({ task: "t2", state: "failed", title: "GLM: chat" });
  const idle = statusView(tracker.tasks, total);
  assert.equal(idle.text, "$(hubot) GLM $0.0123");
  assert.equal(idle.command, "usage");
  assert.match(idle.tooltip, /12k prompt \(2000 cached\), 340 completion tokens/);
  assert.doesNotMatch(idle.tooltip, /cache saved/);
});

test("what the prompt cache saved shows in the message and the status tooltip", () => {
  const cached = { ...total, cached_tokens: 11000, saved: 0.01254 };
  assert.equal(
    usageMessage({ total: cached, text: "" }),
    "GLM usage this session: 12000 prompt tokens (11000 cached), 340 completion tokens (100 reasoning), " +
      "$0.0123, the cache saved $0.0125; 0 tasks.",
  );
  assert.match(statusView([], cached).tooltip, /12k prompt \(11k cached\), 340 completion tokens\nThe prompt cache saved \$0\.0125\n/);
});

test("the completion status item: off, then on with this hour's cost, then paused", () => {
  assert.equal(completionStatusView(false, undefined).text, "$(circle-slash) GLM completion");
  assert.match(completionStatusView(false, undefined).tooltip, /Click to turn it on/);
  assert.equal(completionStatusView(true, undefined).text, "$(sparkle) GLM completion");
  const usage = {
    enabled: true,
    paused: false,
    hourCost: 0.0123,
    hourlyCap: 1,
    requests: 5,
    cancelled: 1,
    cached: 25,
    usage: { prompt_tokens: 900, completion_tokens: 20, reasoning_tokens: 0, cached_tokens: 0, cost: 0.0123 },
    text: "",
  };
  const on = completionStatusView(true, usage);
  assert.equal(on.text, "$(sparkle) GLM completion $0.0123/h");
  assert.match(on.tooltip, /This hour: \$0\.0123 of the \$1\.00 cap\./);
  assert.match(on.tooltip, /5 requests \(1 cut short by typing\), 25 answered from the cache/);
  const paused = completionStatusView(true, { ...usage, paused: true, hourCost: 1.02 });
  assert.equal(paused.text, "$(debug-pause) GLM completion $1.02/h");
  assert.match(paused.tooltip, /paused until the hour has passed/);
});

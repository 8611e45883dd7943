import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml, inline, renderMarkdown } from "../src/markdown";

test("escapes every HTML-significant character", () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
});

test("model text never becomes raw markup", () => {
  const html = renderMarkdown('<script>alert(1)</script>\n<img src=x onerror="a()">');
  assert.ok(!html.includes("<script"));
  assert.ok(!html.includes("<img"));
  assert.ok(html.includes("&lt;script&gt;"));
});

test("code fences keep their text verbatim and escaped", () => {
  const html = renderMarkdown("Look:\n```python\nif a < b:\n    print('**x**')\n```\nafter");
  assert.equal(
    html,
    "<p>Look:</p>\n<pre><code class=\"language-python\">if a &lt; b:\n    print(&#39;**x**&#39;)</code></pre>\n<p>after</p>",
  );
});

test("an unclosed fence while streaming renders as code to the end", () => {
  assert.equal(renderMarkdown("```\nx = 1"), "<pre><code>x = 1</code></pre>");
});

test("headings, lists, quotes and paragraphs", () => {
  assert.equal(
    renderMarkdown("# Title\n\n- one\n- two\n\n1. a\n2. b\n> quoted\ntext\nmore"),
    "<h1>Title</h1>\n<ul><li>one</li><li>two</li></ul>\n<ol><li>a</li><li>b</li></ol>\n<blockquote>quoted</blockquote>\n<p>text<br>more</p>",
  );
});

test("inline code, emphasis and links", () => {
  assert.equal(inline("use `a<b` and **bold** and *it*"), "use <code>a&lt;b</code> and <strong>bold</strong> and <em>it</em>");
  assert.equal(inline("`**not bold**`"), "<code>**not bold**</code>");
  assert.equal(inline("[docs](https://x.y/a?b=1&c=2)"), '<a href="https://x.y/a?b=1&amp;c=2">docs</a>');
  assert.equal(inline("[bad](javascript:alert(1))"), "[bad](javascript:alert(1))");
  assert.equal(inline("snake_case_name and 2*3*4"), "snake_case_name and 2*3*4");
});

; Tags for Ruby.
; Adapted from tree-sitter-ruby 0.23.1 queries/tags.scm (MIT License,
; Copyright (c) 2016 Rob Rix). Changes for glm-lsp: @doc captures dropped;
; constants are class references; bare identifiers stay call references (a
; bare `foo` may be a method call) but py-tree-sitter does not evaluate the
; upstream `(#is-not? local)` filter, so local variables are tagged too -
; harmless for ranking, which only follows references to defined names.
; Order matters: the earlier pattern's category wins for the same name and line.

; Method definitions

[
  (method
    name: (_) @name) @definition.method
  (singleton_method
    name: (_) @name) @definition.method
]

(alias
  name: (_) @name) @definition.method

; Class definitions

[
  (class
    name: [
      (constant) @name
      (scope_resolution
        name: (_) @name)
    ]) @definition.class
  (singleton_class
    value: [
      (constant) @name
      (scope_resolution
        name: (_) @name)
    ]) @definition.class
]

; Module definitions

(module
  name: [
    (constant) @name
    (scope_resolution
      name: (_) @name)
  ]) @definition.module

(program
  (assignment left: (constant) @name) @definition.constant)

(body_statement
  (assignment left: (constant) @name) @definition.constant)

; Calls

(call method: (identifier) @name) @reference.call

((constant) @name @reference.class)

(
  (identifier) @name @reference.call
  (#not-match? @name "^(lambda|load|require|require_relative|__FILE__|__LINE__)$")
)

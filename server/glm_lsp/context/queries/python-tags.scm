; Tags for Python.
; Adapted from tree-sitter-python 0.25.0 queries/tags.scm (MIT License,
; Copyright (c) 2016 Max Brunsfeld). Additions for glm-lsp: methods, imports,
; base classes, decorators and type annotations as references.
; Order matters: when two patterns tag the same name on the same line, the
; earlier pattern's category wins.

; Module-level assignments: UPPER_CASE names are constants, others variables.
(module
  (expression_statement
    (assignment left: (identifier) @name) @definition.constant)
  (#match? @name "^_*[A-Z][A-Z0-9_]*$"))

(module
  (expression_statement
    (assignment left: (identifier) @name) @definition.variable))

(class_definition
  name: (identifier) @name) @definition.class

(class_definition
  body: (block
    (function_definition
      name: (identifier) @name) @definition.method))

(class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name) @definition.method)))

(function_definition
  name: (identifier) @name) @definition.function

; References.

(call
  function: [
      (identifier) @name
      (attribute
        attribute: (identifier) @name)
  ]) @reference.call

(decorator
  [
    (identifier) @name
    (attribute attribute: (identifier) @name)
  ]) @reference.call

(class_definition
  superclasses: (argument_list
    [
      (identifier) @name
      (attribute attribute: (identifier) @name)
    ]) @reference.class)

(import_from_statement
  name: [
    (dotted_name (identifier) @name .)
    (aliased_import name: (dotted_name (identifier) @name .))
  ]) @reference.import

(type (identifier) @name) @reference.type

(type (attribute attribute: (identifier) @name)) @reference.type

(type (generic_type (identifier) @name)) @reference.type

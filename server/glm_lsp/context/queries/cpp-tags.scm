; Tags for C++.
; Adapted from tree-sitter-cpp 0.23.4 queries/tags.scm (MIT License,
; Copyright (c) 2014 Max Brunsfeld). Changes for glm-lsp: a function's
; definition node is the whole function_definition (so its line range covers
; the body); methods declared or defined inside class bodies, out-of-line
; `Class::method` definitions, prototypes, namespaces, aliases, call references
; (plain, member, qualified, template) and type references added.
; Order matters: the earlier pattern's category wins for the same name and line.
; Neighbouring patterns of one role are written as one alternation: compiling
; the query costs ~5 ms a pattern over this grammar (31 patterns took 127 ms,
; these 12 take 93 ms, with the same tags).

[
  (struct_specifier name: (type_identifier) @name body: (_))
  (class_specifier name: (type_identifier) @name body: (_))
  (union_specifier name: (type_identifier) @name body: (_))
] @definition.class

[
  (enum_specifier name: (type_identifier) @name body: (_))
  (type_definition declarator: (type_identifier) @name)
  (alias_declaration name: (type_identifier) @name)
] @definition.type

(namespace_definition name: (namespace_identifier) @name) @definition.module

; Methods inside class bodies (declared or defined inline).

(field_declaration_list [
  (function_definition
    declarator: (function_declarator
      declarator: [(field_identifier) (identifier) (operator_name)] @name)) @definition.method
  (field_declaration
    declarator: (function_declarator
      declarator: [(field_identifier) (operator_name)] @name)) @definition.method
  (declaration
    declarator: (function_declarator
      declarator: (identifier) @name)) @definition.method
  (template_declaration
    (function_definition
      declarator: (function_declarator
        declarator: [(field_identifier) (identifier)] @name)) @definition.method)
])

; Out-of-line definitions: `Type::method(...) { ... }`.

(function_definition
  declarator: [
    (function_declarator
      declarator: (qualified_identifier
        name: [(identifier) (operator_name)] @name))
    (function_declarator
      declarator: (qualified_identifier
        name: (qualified_identifier name: (identifier) @name)))
    (reference_declarator
      (function_declarator
        declarator: (qualified_identifier name: (identifier) @name)))
    (pointer_declarator
      declarator: (function_declarator
        declarator: (qualified_identifier name: (identifier) @name)))
  ]) @definition.method

; Free functions and prototypes.

(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator
      declarator: (function_declarator declarator: (identifier) @name))
    (reference_declarator
      (function_declarator declarator: (identifier) @name))
  ]) @definition.function

(declaration
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator
      declarator: (function_declarator declarator: (identifier) @name))
    (reference_declarator
      (function_declarator declarator: (identifier) @name))
  ]) @definition.function

(preproc_def name: (identifier) @name) @definition.macro

(preproc_function_def name: (identifier) @name) @definition.macro

; References.

(call_expression
  function: [
    (identifier) @name
    (field_expression field: (field_identifier) @name)
    (qualified_identifier name: (identifier) @name)
    (template_function name: (identifier) @name)
    (qualified_identifier name: (template_function name: (identifier) @name))
    (field_expression field: (template_method name: (field_identifier) @name))
  ]) @reference.call

(new_expression type: (type_identifier) @name) @reference.class

(type_identifier) @name @reference.type
